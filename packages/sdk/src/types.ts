// Public names for the generated wire types; nothing here is typed by hand.
import type { components, paths } from "./generated/openapi";

type Schemas = components["schemas"];
type Method = "get" | "post" | "put" | "patch" | "delete";
/** The JSON body of a route's 200 response, straight from the spec. */
export type ResponseOf<P extends keyof paths, M extends Method> =
  NonNullable<paths[P][M]> extends {
    responses: { 200: { content: { "application/json": infer Body } } };
  }
    ? Body
    : never;
/** A route's query parameters, straight from the spec. */
export type QueryOf<P extends keyof paths, M extends Method> = NonNullable<
  NonNullable<paths[P][M]> extends { parameters: { query?: infer Query } } ? Query : never
>;

export type Role = Schemas["Role"];
export type Booking = Schemas["Booking"];
export type BookingStatus = Booking["status"];
export type CreateBookingParams = Schemas["CreateBookingRequest"];
export type CancelBookingParams = Schemas["CancelBookingRequest"];
export type ListBookingsParams = Omit<QueryOf<"/v1/bookings", "get">, "starting_after">;
export type ParticipantToken = Schemas["ParticipantToken"];
export type CreateParticipantTokenParams = Omit<Schemas["CreateParticipantTokenRequest"], "role">;

export type Escrow = Schemas["Escrow"];
export type EscrowStatus = Escrow["status"];
/** `escrows.get` returns the escrow with every money operation it made or intends. */
export type EscrowWithOperations = Schemas["EscrowWithOperations"];
export type EscrowDispute = NonNullable<Escrow["dispute"]>;
/** The provider's (or LessonKit's) error code and message, on escrows and operations alike. */
export type ProviderError = Schemas["ProviderError"];
export type MoneyOperation = Schemas["MoneyOperation"];
export type MoneyOperationKind = MoneyOperation["kind"];
export type MoneyOperationStatus = MoneyOperation["status"];
export type ListOperationsParams = Omit<QueryOf<"/v1/operations", "get">, "starting_after">;
export type ListEscrowsParams = Omit<QueryOf<"/v1/escrows", "get">, "starting_after">;
export type DisputeParams = Schemas["DisputeRequest"];
export type ResolveDisputeParams = Schemas["ResolveDisputeRequest"];
export type TutorBalance = Schemas["TutorBalance"];

export type Event = Schemas["Event"];
export type EventType = Event["type"];
export type EventWithDeliveries = Schemas["EventWithDeliveries"];
export type ListEventsParams = Omit<QueryOf<"/v1/events", "get">, "starting_after">;
export type RedeliverEventParams = Schemas["RedeliverEventRequest"];

export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookEndpointWithSecret = Schemas["WebhookEndpointWithSecret"];
export type CreateWebhookEndpointParams = Schemas["CreateWebhookEndpointRequest"];
export type UpdateWebhookEndpointParams = Schemas["UpdateWebhookEndpointRequest"];
export type ListWebhookEndpointsParams = Omit<QueryOf<"/v1/webhook-endpoints", "get">, "starting_after">;
export type DeletedWebhookEndpoint = ResponseOf<"/v1/webhook-endpoints/{id}", "delete">;

export type Tenant = Schemas["Tenant"];
export type Policy = Schemas["Policy"];
export type UpdateTenantParams = Schemas["UpdateTenantRequest"];
/** `outcome` defaults to `succeed` on the server. */
export type SandboxPayParams = Partial<Schemas["SandboxPayRequest"]>;
/** What POST /v1/sandbox/clock returns: the tenant's new time and what its due work did. */
export type TestClock = Schemas["TestClock"];
/** What GET /v1/sandbox/clock returns: the tenant's time, its offset and whether it can be moved. */
export type TestClockReading = Schemas["TestClockReading"];
/** What the due work (the tick, or a test-clock move) did. */
export type DueWorkSummary = Schemas["DueWorkSummary"];
export type CreateTenantParams = Schemas["CreateTenantRequest"];
/** A new tenant and its secret key, which is shown only in this response. */
export type CreatedTenant = Schemas["CreatedTenant"];

/** What `GET /v1/sessions/{bookingId}` returns: the participant's view of the session. */
export type SessionStatus = Schemas["Session"];
export type SessionPhase = SessionStatus["phase"];
/** What start and join return: the session status plus this participant's video credentials. */
export type SessionWithVideo = Schemas["SessionWithVideo"];
export type VideoCredentials = Schemas["VideoCredentials"];
export type SessionNotes = Schemas["SessionNotes"];
export type Rating = Schemas["Rating"];
export type SaveNotesBody = Schemas["SaveNotesRequest"];
export type RateSessionBody = Schemas["RateSessionRequest"];
export type AdvanceClockBody = Schemas["AdvanceClockRequest"];
export type CreateParticipantTokenBody = Schemas["CreateParticipantTokenRequest"];

/** The error body every failed API call returns. */
export type ApiErrorBody = Schemas["Error"];

type ApiPath = Extract<keyof paths, `/v1/${string}`>;
type StatusesOf<Operation> = Operation extends { responses: infer Responses } ? keyof Responses : never;
/**
 * Every HTTP status the API documents for a failed call, straight from the spec: 400, 401, 403,
 * 404, 409, 413, 415, 422, and 502 where the route calls the payment provider.
 */
export type ApiErrorStatus = Exclude<{ [P in ApiPath]: StatusesOf<NonNullable<paths[P][Method]>> }[ApiPath], 200>;

/** A page of a list: `{ data, has_more, next_cursor }`. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * Wire types of the LessonKit API, generated from packages/server/openapi.json by
 * `npm run generate -w @lessonkit/sdk` (openapi-typescript). Do not edit by hand.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up and answering (it touches nothing else) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Alive */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers, its migrations are current and the process is not shutting down */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready for traffic */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description Not ready: take it out of the load balancer (the body says why) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a tenant (a tutoring platform); its secret key is returned this once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateTenantRequest"];
                };
            };
            responses: {
                /** @description The tenant and its secret key */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedTenant"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/tick": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run all due work now (expiry, no-shows, auto-complete, refunds, releases) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description What the tick did */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DueWorkSummary"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reconcile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recompute every tutor balance from the ledger and report where the running totals differ
         * @description Balances are running totals kept in the same transaction as the ledger rows; the ledger is the source of truth. This reads the whole ledger (an operator's check, not for a hot path) and changes nothing.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The comparison; `mismatches` is empty when every running total agrees with the ledger */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BalanceReconciliation"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your tenant: name, policy, provider settings (secrets are never returned) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The tenant */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Tenant"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update name, policy, Agora or Stripe settings */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateTenantRequest"];
                };
            };
            responses: {
                /** @description The updated tenant */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Tenant"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/bookings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List bookings, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    starting_after?: string;
                    status?: "pending_payment" | "confirmed" | "in_progress" | "completed" | "canceled" | "no_show";
                    tutor_id?: string;
                    student_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of bookings */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BookingList"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Book a lesson
         * @description Creates the booking, its escrow and the provider payment whose client secret your front end confirms.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateBookingRequest"];
                };
            };
            responses: {
                /** @description The booking, pending payment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Booking"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The payment provider failed or could not be reached (`provider_error`); retry with the same Idempotency-Key */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/bookings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve a booking */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The booking */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Booking"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/bookings/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a booking before its session starts
         * @description Unpaid: the payment is voided. Paid: full refund, unless the student cancels within free_cancel_hours of the start (then late_cancel_refund_percent).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CancelBookingRequest"];
                };
            };
            responses: {
                /** @description The canceled booking */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Booking"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The payment provider failed or could not be reached (`provider_error`); retry with the same Idempotency-Key */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/bookings/{id}/participant-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mint a participant token for the student or the tutor
         * @description The token opens /v1/sessions/{booking_id} for one role. It expires after ttl_seconds, and never later than the scheduled end plus the release delay.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateParticipantTokenRequest"];
                };
            };
            responses: {
                /** @description A participant token */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ParticipantToken"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escrows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve an escrow, with its money operations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The escrow */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EscrowWithOperations"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escrows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List escrows, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    starting_after?: string;
                    status?: "awaiting_payment" | "held" | "release_scheduled" | "released" | "refunded" | "disputed" | "canceled";
                    tutor_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of escrows */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EscrowList"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escrows/{id}/dispute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open a dispute on behalf of the student; freezes the release */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DisputeRequest"];
                };
            };
            responses: {
                /** @description The disputed escrow */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Escrow"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/escrows/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve a dispute: release to the tutor, or refund the student (in part or in full) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ResolveDisputeRequest"];
                };
            };
            responses: {
                /** @description The escrow after resolution */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Escrow"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List money operations (transfers, refunds, transfer reversals), newest first
         * @description Every movement of money LessonKit makes or intends at the payment provider. Filter by `status=in_flight` or `status=failed` to find money that is stuck.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    starting_after?: string;
                    status?: "pending" | "in_flight" | "succeeded" | "failed" | "canceled";
                    kind?: "transfer" | "refund" | "transfer_reversal";
                    escrow_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of money operations */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MoneyOperationList"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tutors/{tutorId}/balance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A tutor's balances per currency, derived from the ledger */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tutorId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The balances */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TutorBalance"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List events, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    starting_after?: string;
                    type?: "booking.created" | "booking.canceled" | "escrow.held" | "payment.failed" | "session.join_window_opened" | "session.started" | "session.participant_joined" | "session.ended" | "session.no_show" | "escrow.release_scheduled" | "escrow.released" | "escrow.refunded" | "escrow.disputed" | "escrow.dispute_resolved" | "escrow.release_blocked" | "escrow.reversal_failed" | "escrow.transfer_reversed" | "rating.submitted";
                    booking_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of events */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventList"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve an event with its webhook deliveries and their attempts */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventWithDeliveries"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver the event again now (same webhook-id) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["RedeliverEventRequest"];
                };
            };
            responses: {
                /** @description The event and its deliveries */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventWithDeliveries"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List endpoints */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    starting_after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of endpoints */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpointList"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Add an endpoint; its signing secret is returned this once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateWebhookEndpointRequest"];
                };
            };
            responses: {
                /** @description The endpoint and its secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve an endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The endpoint */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpoint"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an endpoint */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            /** @enum {string} */
                            object: "webhook_endpoint";
                            /** @enum {boolean} */
                            deleted: true;
                        };
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change the URL, the event filter, or enable/disable */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdateWebhookEndpointRequest"];
                };
            };
            responses: {
                /** @description The endpoint */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpoint"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the signing secret; the old one keeps signing alongside for 24 hours */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The endpoint and its new secret */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/bookings/{id}/pay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pay for a booking as the student would (sandbox tenants) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["SandboxPayRequest"];
                };
            };
            responses: {
                /** @description The booking after the payment attempt */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Booking"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/clock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read your clock: the time your bookings, windows and releases are measured against */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The tenant's time and test-clock offset */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TestClockReading"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Move your sandbox clock forward (by seconds, or to a time) and run the due work */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AdvanceClockRequest"];
                };
            };
            responses: {
                /** @description The tenant's new time and what ran */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TestClock"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Session status for the token's participant */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The session */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start the session (from join_opens_at); on a running session this joins */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The session and this participant's video credentials */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionWithVideo"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join a running session */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The session and this participant's video credentials */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionWithVideo"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session; the tutor is paid after the release delay unless the student disputes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The ended session */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Save the tutor's notes (plain text, up to 20,000 characters) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SaveNotesRequest"];
                };
            };
            responses: {
                /** @description The saved notes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionNotes"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/rating": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The student rates the completed session, once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RateSessionRequest"];
                };
            };
            responses: {
                /** @description The rating */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Rating"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{bookingId}/dispute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The student disputes the lesson; the release is frozen until the platform resolves it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    bookingId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["DisputeRequest"];
                };
            };
            responses: {
                /** @description The disputed escrow */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Escrow"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not sent as application/json (`unsupported_media_type`) */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stripe/webhooks/{tenantId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stripe webhook endpoint of a tenant (set it in your Stripe dashboard, account and Connect events)
         * @description Verified with your webhook signing secret (Stripe-Signature, raw body, 5-minute tolerance); each event is applied at most once, in any order. Handles payment_intent.succeeded / payment_failed / canceled, charge.refunded, charge.dispute.created / closed, transfer.reversed, account.updated.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tenantId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event was received */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["StripeWebhookReceived"];
                    };
                };
                /** @description Invalid request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Missing or invalid credentials */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not allowed for these credentials */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Conflicts with the resource's state */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The request body is larger than 256 KB (`body_too_large`) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Semantically invalid */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Health: {
            /** @enum {boolean} */
            ok: true;
            time: string;
        };
        Readiness: {
            ok: boolean;
            /** @enum {string} */
            database: "ok" | "unreachable";
            /** @enum {string} */
            migrations: "current" | "behind" | "unknown";
            shutting_down: boolean;
        };
        CreatedTenant: {
            tenant: components["schemas"]["Tenant"];
            secret_key: string;
        };
        Tenant: {
            /** @example tn_3kTq9… */
            id: string;
            /** @enum {string} */
            object: "tenant";
            name: string;
            /** @enum {string} */
            payment_provider: "sandbox" | "stripe";
            policy: components["schemas"]["Policy"];
            agora: {
                app_id: string;
                app_certificate_set: boolean;
            } | null;
            /** @description Whether Stripe settings are set; the keys themselves are never returned */
            stripe: {
                configured: boolean;
                livemode: boolean;
                /** @description The budget LessonKit paces this tenant's Stripe calls to (per process): yours, or 24 for a test-mode key and 95 live */
                requests_per_second: number;
                /** @description Whether you set the budget yourself */
                requests_per_second_set: boolean;
            } | null;
            secret_key_hint: string;
            test_clock: {
                offset_seconds: number;
            } | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            updated_at: string;
        };
        /**
         * @example {
         *       "payment_window_minutes": 30,
         *       "join_window_minutes": 5,
         *       "late_join_minutes": null,
         *       "no_show_minutes": 15,
         *       "overtime_grace_minutes": 10,
         *       "release_delay_hours": 24,
         *       "free_cancel_hours": 24,
         *       "late_cancel_refund_percent": 0,
         *       "student_no_show": "release",
         *       "tutor_no_show": "refund"
         *     }
         */
        Policy: {
            payment_window_minutes: number;
            join_window_minutes: number;
            late_join_minutes: number | null;
            no_show_minutes: number;
            overtime_grace_minutes: number;
            release_delay_hours: number;
            free_cancel_hours: number;
            late_cancel_refund_percent: number;
            /** @enum {string} */
            student_no_show: "release" | "refund";
            /** @enum {string} */
            tutor_no_show: "refund" | "release";
        };
        Error: {
            error: {
                /** @example conflict_error */
                type: string;
                /** @example join_window_not_open */
                code: string;
                message: string;
                param?: string;
                request_id: string;
            };
        };
        CreateTenantRequest: {
            name: string;
            /** @enum {string} */
            payment_provider: "sandbox" | "stripe";
            policy?: components["schemas"]["PolicyInput"];
            agora?: components["schemas"]["AgoraSettingsInput"];
            stripe?: components["schemas"]["StripeSettingsInput"];
            /**
             * @description Stripe calls per second LessonKit may make for you (per process); null returns to the default below Stripe's limit for your key's mode
             * @example 20
             */
            provider_requests_per_second?: number | null;
        };
        PolicyInput: {
            payment_window_minutes?: number;
            join_window_minutes?: number;
            late_join_minutes?: number | null;
            no_show_minutes?: number;
            overtime_grace_minutes?: number;
            release_delay_hours?: number;
            free_cancel_hours?: number;
            late_cancel_refund_percent?: number;
            /** @enum {string} */
            student_no_show?: "release" | "refund";
            /** @enum {string} */
            tutor_no_show?: "refund" | "release";
        };
        AgoraSettingsInput: {
            app_id: string;
            app_certificate: string;
        };
        StripeSettingsInput: {
            /**
             * @description Your platform's Stripe secret key
             * @example sk_test_…
             */
            secret_key: string;
            /**
             * @description Signing secret of the endpoint for your account's events
             * @example whsec_…
             */
            webhook_secret: string;
            /**
             * @description Signing secret of the Connect endpoint (connected accounts' events)
             * @example whsec_…
             */
            connect_webhook_secret?: string;
        };
        DueWorkSummary: {
            expired: number;
            no_shows: number;
            auto_completed: number;
            refunds: number;
            refund_failures: number;
            released: number;
            release_failures: number;
            /** @description Transfer reversals made (refunds after release) */
            reversals: number;
            reversal_failures: number;
        };
        BalanceReconciliation: {
            /** @description Tenant, tutor and currency combinations compared */
            checked: number;
            mismatches: {
                tenant_id: string;
                tutor_id: string;
                currency: string;
                /** @description The running totals (null: none stored) */
                stored: {
                    pending: number;
                    disputed: number;
                    released: number;
                } | null;
                /** @description Recomputed from the ledger (null: no ledger rows) */
                ledger: {
                    pending: number;
                    disputed: number;
                    released: number;
                } | null;
            }[];
        };
        UpdateTenantRequest: {
            name?: string;
            policy?: components["schemas"]["PolicyInput"] & unknown;
            /** @description null removes them (the server's defaults apply) */
            agora?: {
                app_id: string;
                app_certificate: string;
            } | null;
            /** @description Stripe settings (stored encrypted, never returned); null removes them */
            stripe?: {
                /**
                 * @description Your platform's Stripe secret key
                 * @example sk_test_…
                 */
                secret_key: string;
                /**
                 * @description Signing secret of the endpoint for your account's events
                 * @example whsec_…
                 */
                webhook_secret: string;
                /**
                 * @description Signing secret of the Connect endpoint (connected accounts' events)
                 * @example whsec_…
                 */
                connect_webhook_secret?: string;
            } | null;
            /**
             * @description Stripe calls per second LessonKit may make for you (per process); null returns to the default below Stripe's limit for your key's mode
             * @example 20
             */
            provider_requests_per_second?: number | null;
        };
        Booking: {
            /** @example bk_… */
            id: string;
            /** @enum {string} */
            object: "booking";
            external_id: string;
            /** @enum {string} */
            status: "pending_payment" | "confirmed" | "in_progress" | "completed" | "canceled" | "no_show";
            student: {
                id: string;
                name: string | null;
            };
            tutor: {
                id: string;
                name: string | null;
                stripe_account: string | null;
            };
            subject: string | null;
            timezone: string | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            scheduled_start: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            ends_at: string;
            duration_minutes: number;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            join_opens_at: string;
            session: {
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                started_at: string | null;
                started_by: components["schemas"]["Role"];
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                student_joined_at: string | null;
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                tutor_joined_at: string | null;
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                ended_at: string | null;
                /** @enum {string|null} */
                ended_by: "student" | "tutor" | "system" | null;
                /** @enum {string|null} */
                no_show_side: "student" | "tutor" | "both" | null;
            };
            cancellation: {
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                canceled_at: string;
                /** @enum {string|null} */
                canceled_by: "student" | "tutor" | "platform" | "system" | null;
                reason: string | null;
            } | null;
            rating: {
                stars: number;
                comment: string | null;
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                rated_at: string;
            } | null;
            escrow: components["schemas"]["Escrow"];
            payment: {
                /** @enum {string} */
                provider: "sandbox" | "stripe";
                client_secret: string | null;
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                expires_at: string | null;
            };
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            updated_at: string;
        };
        /** @enum {string|null} */
        Role: "student" | "tutor" | null;
        Escrow: {
            /** @example esc_… */
            id: string;
            /** @enum {string} */
            object: "escrow";
            booking_id: string;
            tutor_id: string;
            /** @enum {string} */
            status: "awaiting_payment" | "held" | "release_scheduled" | "released" | "refunded" | "disputed" | "canceled";
            /** @example usd */
            currency: string;
            amount: number;
            platform_fee: number;
            tutor_amount: number;
            held_amount: number;
            refunded_amount: number;
            /** @description Released out of escrow: tutor payout plus platform fee */
            released_amount: number;
            /** @description What the tutor was paid at release */
            payout_amount: number | null;
            /** @description Of refunded_amount, what went back through lost chargebacks */
            charged_back_amount: number;
            /** @description Taken back from the tutor's transfer at the provider (by LessonKit or anyone) */
            reversed_amount: number;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            release_at: string | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            released_at: string | null;
            transfer_id: string | null;
            dispute: components["schemas"]["EscrowDispute"];
            last_error: components["schemas"]["ProviderError"];
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            created_at: string;
        };
        EscrowDispute: {
            /**
             * @description participant: the student through a session; platform: your API call; provider: a chargeback at Stripe
             * @enum {string}
             */
            source: "participant" | "platform" | "provider";
            reason: string | null;
            /** @enum {string} */
            opened_by: "student" | "platform";
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            opened_at: string;
            provider_dispute_id: string | null;
        } | null;
        /** @description Why the last attempt to move this escrow's money failed; null once it moved */
        ProviderError: {
            /**
             * @description The provider's code (or LessonKit's)
             * @example payouts_not_enabled
             */
            code: string;
            message: string;
        } | null;
        CreateBookingRequest: {
            /**
             * @description Your id for this lesson; unique per tenant
             * @example lesson_1234
             */
            external_id: string;
            student: {
                id: string;
                name?: string;
            };
            tutor: {
                id: string;
                name?: string;
                stripe_account?: string;
            };
            subject?: string;
            /**
             * Format: date-time
             * @description ISO 8601 with an offset; after now and at most 365 days ahead on the tenant's clock (`scheduled_start_in_past`, `scheduled_start_too_far`)
             * @example 2030-01-01T10:00:00Z
             */
            scheduled_start: string;
            duration_minutes: number;
            /**
             * @description Integer minor units (cents)
             * @example 5000
             */
            amount: number;
            /** @example usd */
            currency: string;
            /**
             * @description Minor units kept by the platform, at most `amount`; equal to it leaves the tutor nothing
             * @example 1000
             */
            platform_fee?: number;
            /**
             * @description IANA zone, for display
             * @example Europe/Berlin
             */
            timezone?: string;
        };
        BookingList: {
            data: components["schemas"]["Booking"][];
            has_more: boolean;
            next_cursor: string | null;
        };
        CancelBookingRequest: {
            /**
             * @description Who canceled; decides the refund
             * @enum {string}
             */
            by: "student" | "tutor" | "platform";
            reason?: string;
        };
        ParticipantToken: {
            /** @example lk_pt_… */
            token: string;
            /** Format: date-time */
            expires_at: string;
            booking_id: string;
            role: components["schemas"]["Role"];
            user_id: string;
        };
        CreateParticipantTokenRequest: {
            role: components["schemas"]["Role"];
            /** @description Default 4 hours */
            ttl_seconds?: number;
        };
        EscrowWithOperations: components["schemas"]["Escrow"] & {
            /** @description Every money operation of the escrow, oldest first */
            operations: components["schemas"]["MoneyOperation"][];
        };
        MoneyOperation: {
            /** @example op_… */
            id: string;
            /** @enum {string} */
            object: "money_operation";
            escrow_id: string;
            booking_id: string;
            /**
             * @description transfer: the tutor's payout; refund: back to the student; transfer_reversal: taken back from the tutor
             * @enum {string}
             */
            kind: "transfer" | "refund" | "transfer_reversal";
            /**
             * @description pending: decided, not sent; in_flight: being made, or sent without a definitive answer (retried with the same key); succeeded; failed: refused by the provider; canceled: no longer needed
             * @enum {string}
             */
            status: "pending" | "in_flight" | "succeeded" | "failed" | "canceled";
            amount: number;
            currency: string;
            /** @example canceled_by_student */
            reason: string;
            /** @description Sent to the provider with every attempt of this operation */
            idempotency_key: string;
            attempts: number;
            /**
             * @description The provider's transfer, refund or reversal
             * @example tr_…
             */
            provider_id: string | null;
            last_error: components["schemas"]["ProviderError"];
            /**
             * Format: date-time
             * @description While pending or in flight: the earliest next attempt
             * @example 2030-01-01T09:00:00.000Z
             */
            next_attempt_at: string | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            updated_at: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            completed_at: string | null;
        };
        EscrowList: {
            data: components["schemas"]["Escrow"][];
            has_more: boolean;
            next_cursor: string | null;
        };
        DisputeRequest: {
            reason: string;
        };
        ResolveDisputeRequest: {
            /** @enum {string} */
            outcome: "release" | "refund";
            /** @description For refund: minor units back to the student (default: all still held) */
            refund_amount?: number;
        };
        MoneyOperationList: {
            data: components["schemas"]["MoneyOperation"][];
            has_more: boolean;
            next_cursor: string | null;
        };
        TutorBalance: {
            tutor_id: string;
            balances: {
                currency: string;
                /** @description Held for the tutor, not yet released */
                pending: number;
                /** @description Frozen by an open dispute */
                disputed: number;
                /** @description Paid out to the tutor */
                released: number;
            }[];
        };
        EventList: {
            data: components["schemas"]["Event"][];
            has_more: boolean;
            next_cursor: string | null;
        };
        Event: {
            /** @example evt_… */
            id: string;
            /** @enum {string} */
            object: "event";
            /** @enum {string} */
            type: "booking.created" | "booking.canceled" | "escrow.held" | "payment.failed" | "session.join_window_opened" | "session.started" | "session.participant_joined" | "session.ended" | "session.no_show" | "escrow.release_scheduled" | "escrow.released" | "escrow.refunded" | "escrow.disputed" | "escrow.dispute_resolved" | "escrow.release_blocked" | "escrow.reversal_failed" | "escrow.transfer_reversed" | "rating.submitted";
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            created_at: string;
            booking_id: string | null;
            data: {
                [key: string]: unknown;
            };
        };
        EventWithDeliveries: components["schemas"]["Event"] & {
            deliveries: components["schemas"]["WebhookDelivery"][];
        };
        WebhookDelivery: {
            id: string;
            endpoint_id: string;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed";
            attempt_count: number;
            next_attempt_at: string | null;
            last_status_code: number | null;
            last_error: string | null;
            completed_at: string | null;
            attempts: {
                /** Format: date-time */
                attempted_at: string;
                status_code: number | null;
                duration_ms: number;
                response_excerpt: string | null;
                error: string | null;
            }[];
        };
        RedeliverEventRequest: {
            /** @description Only this endpoint (default: every enabled one) */
            endpoint_id?: string;
        };
        WebhookEndpointWithSecret: components["schemas"]["WebhookEndpoint"] & {
            /**
             * @description whsec_…: shown only now; verify signatures with it
             * @example whsec_…
             */
            secret: string;
        };
        WebhookEndpoint: {
            /** @example we_… */
            id: string;
            /** @enum {string} */
            object: "webhook_endpoint";
            url: string;
            description: string | null;
            /** @description null: every event type */
            event_types: ("booking.created" | "booking.canceled" | "escrow.held" | "payment.failed" | "session.join_window_opened" | "session.started" | "session.participant_joined" | "session.ended" | "session.no_show" | "escrow.release_scheduled" | "escrow.released" | "escrow.refunded" | "escrow.disputed" | "escrow.dispute_resolved" | "escrow.release_blocked" | "escrow.reversal_failed" | "escrow.transfer_reversed" | "rating.submitted")[] | null;
            enabled: boolean;
            disabled_reason: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        CreateWebhookEndpointRequest: {
            /** @example https://platform.example.com/lessonkit/webhooks */
            url: string;
            description?: string;
            event_types?: ("booking.created" | "booking.canceled" | "escrow.held" | "payment.failed" | "session.join_window_opened" | "session.started" | "session.participant_joined" | "session.ended" | "session.no_show" | "escrow.release_scheduled" | "escrow.released" | "escrow.refunded" | "escrow.disputed" | "escrow.dispute_resolved" | "escrow.release_blocked" | "escrow.reversal_failed" | "escrow.transfer_reversed" | "rating.submitted")[] | null;
            enabled?: boolean;
        };
        WebhookEndpointList: {
            data: components["schemas"]["WebhookEndpoint"][];
            has_more: boolean;
            next_cursor: string | null;
        };
        UpdateWebhookEndpointRequest: {
            /** @example https://platform.example.com/lessonkit/webhooks */
            url?: string;
            description?: string;
            event_types?: ("booking.created" | "booking.canceled" | "escrow.held" | "payment.failed" | "session.join_window_opened" | "session.started" | "session.participant_joined" | "session.ended" | "session.no_show" | "escrow.release_scheduled" | "escrow.released" | "escrow.refunded" | "escrow.disputed" | "escrow.dispute_resolved" | "escrow.release_blocked" | "escrow.reversal_failed" | "escrow.transfer_reversed" | "rating.submitted")[] | null;
            enabled?: boolean;
        };
        SandboxPayRequest: {
            /**
             * @default succeed
             * @enum {string}
             */
            outcome: "succeed" | "fail";
        };
        TestClockReading: {
            /**
             * Format: date-time
             * @description The tenant's current time
             */
            now: string;
            /** @description How far the tenant's clock is ahead of the server's */
            offset_seconds: number;
            /** @description Whether POST /v1/sandbox/clock may move it (sandbox and test-mode Stripe tenants) */
            movable: boolean;
        };
        TestClock: {
            /**
             * Format: date-time
             * @description The tenant's new time
             */
            now: string;
            offset_seconds: number;
            due_work: components["schemas"]["DueWorkSummary"];
        };
        /** @description Exactly one of `advance_seconds` and `to` */
        AdvanceClockRequest: {
            /**
             * @description Move the clock forward by this many seconds
             * @example 86400
             */
            advance_seconds?: number;
            /**
             * Format: date-time
             * @description Move the clock to this time (ISO 8601 with an offset); never earlier than the tenant's now
             * @example 2030-01-02T09:55:00Z
             */
            to?: string;
        };
        Session: {
            booking_id: string;
            role: components["schemas"]["Role"];
            /**
             * @description The booking's stored state, as on GET /v1/bookings/{id}; it changes only when something happens
             * @enum {string}
             */
            status: "pending_payment" | "confirmed" | "in_progress" | "completed" | "canceled" | "no_show";
            /**
             * @description What the session screen should show now: `status` read against the tenant's clock (a confirmed booking is `upcoming` before join_opens_at, `joinable` from then, `no_show` once the time to start has passed, before the tick settles it)
             * @enum {string}
             */
            phase: "upcoming" | "joinable" | "in_progress" | "ended" | "canceled" | "no_show";
            subject: string | null;
            timezone: string | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            scheduled_start: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            ends_at: string;
            duration_minutes: number;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            join_opens_at: string;
            /**
             * Format: date-time
             * @description The no-show deadline (scheduled start + no_show_minutes): a side that has not joined by then is a no-show, and the other may end the session
             * @example 2030-01-01T09:00:00.000Z
             */
            no_show_at: string;
            /**
             * Format: date-time
             * @description When a session left running becomes due for automatic completion (scheduled end + overtime_grace_minutes; the next run of due work completes it); video credentials expire then too
             * @example 2030-01-01T09:00:00.000Z
             */
            auto_complete_at: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            started_at: string | null;
            started_by: components["schemas"]["Role"];
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            ended_at: string | null;
            /** @enum {string|null} */
            ended_by: "student" | "tutor" | "system" | null;
            /** @enum {string|null} */
            no_show_side: "student" | "tutor" | "both" | null;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            server_time: string;
            /** @description This participant may start the session now: it is paid, the join window is open and nobody has started it yet */
            can_start: boolean;
            /** @description The session runs and this participant may join it now, or rejoin for fresh video credentials */
            can_join: boolean;
            /** @description This participant joined and may end the session now (not while the other side may still join) */
            can_end: boolean;
            participants: {
                student: {
                    name: string | null;
                    /**
                     * Format: date-time
                     * @example 2030-01-01T09:00:00.000Z
                     */
                    joined_at: string | null;
                };
                tutor: {
                    name: string | null;
                    /**
                     * Format: date-time
                     * @example 2030-01-01T09:00:00.000Z
                     */
                    joined_at: string | null;
                };
            };
            /** @description The tutor's notes (only shown to the tutor) */
            notes: string | null;
            rating: {
                stars: number;
                comment: string | null;
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                rated_at: string;
            } | null;
            escrow: {
                /** @enum {string} */
                status: "awaiting_payment" | "held" | "release_scheduled" | "released" | "refunded" | "disputed" | "canceled";
                /**
                 * Format: date-time
                 * @example 2030-01-01T09:00:00.000Z
                 */
                release_at: string | null;
                currency: string;
                amount: number;
                tutor_amount: number;
            };
        };
        SessionWithVideo: components["schemas"]["Session"] & {
            video: components["schemas"]["VideoCredentials"];
        };
        VideoCredentials: {
            /** @enum {string} */
            provider: "agora";
            app_id: string;
            channel: string;
            uid: number;
            token: string;
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00.000Z
             */
            expires_at: string;
        };
        SessionNotes: {
            booking_id: string;
            notes: string;
            /** Format: date-time */
            updated_at: string;
        };
        SaveNotesRequest: {
            notes: string;
        };
        Rating: {
            booking_id: string;
            stars: number;
            comment: string | null;
            /** Format: date-time */
            rated_at: string;
        };
        RateSessionRequest: {
            stars: number;
            comment?: string;
        };
        StripeWebhookReceived: {
            /** @enum {boolean} */
            received: true;
            event_id: string;
            /**
             * @description applied, duplicate, or ignored:<why>
             * @example applied
             */
            outcome: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

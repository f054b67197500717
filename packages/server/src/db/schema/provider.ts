import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Events received from a payment provider (Stripe webhooks), one row per event id and tenant. The
 * row is inserted in the same transaction that applies the event, so an event is applied at most
 * once however often the provider delivers it.
 */
export const providerEvents = sqliteTable(
  "provider_events",
  {
    tenantId: text("tenant_id").notNull(),
    eventId: text("event_id").notNull(),
    provider: text("provider", { enum: ["stripe"] }).notNull(),
    type: text("type").notNull(),
    /** What the event is about (the dispute, payment, transfer or account id), to reason about order. */
    subjectId: text("subject_id"),
    /** The provider's own timestamp for the event (epoch ms). */
    createdAt: integer("created_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** applied | ignored (and why, e.g. `ignored:unknown_payment`). */
    outcome: text("outcome").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.eventId] }),
    index("provider_events_subject").on(t.tenantId, t.subjectId, t.type),
  ],
);

/**
 * What we last heard about a tutor's connected account. `as_of` is the provider's time of that
 * news, so an older event delivered late never overwrites a newer one.
 */
export const connectedAccounts = sqliteTable(
  "connected_accounts",
  {
    tenantId: text("tenant_id").notNull(),
    accountId: text("account_id").notNull(),
    /** Null: two reports of the same second disagreed; the provider is asked before the next payout. */
    payoutsEnabled: integer("payouts_enabled", { mode: "boolean" }),
    asOf: integer("as_of").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.accountId] })],
);

export * from "./bookings";
export * from "./escrows";
export * from "./events";
export * from "./idempotency";
export * from "./ledger";
export * from "./payouts";
export * from "./tenants";
export * from "./webhooks";

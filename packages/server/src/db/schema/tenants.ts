import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    paymentProvider: text("payment_provider", { enum: ["sandbox", "stripe"] }).notNull(),
    /** SHA-256 of the secret key; the key itself is shown once and never stored. */
    secretKeyHash: text("secret_key_hash").notNull(),
    /** First characters of the key, so operators can tell keys apart. */
    secretKeyHint: text("secret_key_hint").notNull(),
    /** Policy as JSON (see domain/policy.ts); defaults are filled on read. */
    policy: text("policy", { mode: "json" }).notNull().default(sql`'{}'`),
    agoraAppId: text("agora_app_id"),
    /** Agora app certificate, sealed with a key derived from LESSONKIT_SECRET. */
    agoraAppCertificateSealed: text("agora_app_certificate_sealed"),
    /** Stripe settings as sealed JSON (secret key, webhook secrets). */
    stripeSealed: text("stripe_sealed"),
    /** Whether the Stripe key is a live-mode key (null without Stripe settings); not secret. */
    stripeLivemode: integer("stripe_livemode", { mode: "boolean" }),
    /**
     * Provider calls per second this tenant's money operations are paced to (null: the default for
     * its key mode, below Stripe's own limit).
     */
    providerRateLimit: integer("provider_rate_limit"),
    /** Test clock: milliseconds this tenant's clock is ahead of the server's (sandbox only). */
    clockOffsetMs: integer("clock_offset_ms").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("tenants_secret_key_hash").on(t.secretKeyHash),
    // The few tenants whose test clock runs ahead: due work looks for theirs separately (domain/due/bounds.ts).
    index("tenants_clock_offset").on(t.clockOffsetMs),
  ],
);

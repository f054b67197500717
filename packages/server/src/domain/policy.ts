import { z } from "zod";

/** Per-tenant session and money policy (docs/lifecycle.md, "Deadlines and policy"). */
export const policySchema = z.object({
  payment_window_minutes: z.number().int().min(1).max(10_080).default(30),
  join_window_minutes: z.number().int().min(0).max(1440).default(5),
  /** Minutes after the scheduled start a first join is still allowed; null = until the scheduled end. */
  late_join_minutes: z.number().int().min(0).max(1440).nullable().default(null),
  no_show_minutes: z.number().int().min(1).max(1440).default(15),
  overtime_grace_minutes: z.number().int().min(0).max(1440).default(10),
  release_delay_hours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(24),
  free_cancel_hours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90)
    .default(24),
  late_cancel_refund_percent: z.number().int().min(0).max(100).default(0),
  student_no_show: z.enum(["release", "refund"]).default("release"),
  tutor_no_show: z.enum(["refund", "release"]).default("refund"),
});

export type Policy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

/** Fills defaults into a stored (possibly older, partial) policy. */
export function resolvePolicy(stored: unknown): Policy {
  const parsed = policySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_POLICY;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

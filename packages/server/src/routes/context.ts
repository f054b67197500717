import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Deps, Tenant, TenantContext } from "../domain/context";
import type { ParticipantContext } from "../domain/sessions/context";

/** What handlers find in the Hono context. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    /** Set by tenant auth: the caller's tenant at its current time. */
    tenantCtx: TenantContext;
    /** Set by participant auth: one booking, one role. */
    participantCtx: ParticipantContext;
    /** Who is calling, for scoping idempotency keys. */
    callerScope: string;
    tenant: Tenant;
  };
}

export type App = OpenAPIHono<AppEnv>;

/**
 * Errors the domain raises. They carry a machine-readable code and know nothing of HTTP; the API
 * layer maps each kind to a status (see routes/errors.ts).
 */
export type DomainErrorKind =
  | "invalid" // the request is well-formed but not acceptable (422)
  | "unauthenticated" // no or bad credentials (401)
  | "forbidden" // credentials fine, action not theirs (403)
  | "not_found" // (404)
  | "conflict" // the resource's state does not allow it now (409)
  | "upstream"; // a provider refused or failed (402 for card-style refusals, 502 otherwise)

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export const NotFound = (resource: string, id: string, param?: string) =>
  new DomainError("not_found", "resource_missing", `No such ${resource}: '${id}'`, param);

export const Conflict = (code: string, message: string) => new DomainError("conflict", code, message);

export const Invalid = (code: string, message: string, param?: string) =>
  new DomainError("invalid", code, message, param);

export const Forbidden = (code: string, message: string) => new DomainError("forbidden", code, message);

export const Unauthenticated = (code: string, message: string) => new DomainError("unauthenticated", code, message);

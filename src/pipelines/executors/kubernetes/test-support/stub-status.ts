/**
 * `Status` objects, the body the Kubernetes API answers every error with (and some deletes with),
 * in the shapes and words the real API server uses, so the executor's error mapping is exercised
 * on what a cluster really says.
 */

export interface StatusCause {
  reason: string
  message: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
}

export interface StatusObject {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

/** An error the stub answers as a Status. */
export class StubApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message)
  }

  toStatus(): StatusObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    }
  }
}

/** A resource as the API names it in messages: `jobs.batch`, `pods` (core has no group). */
export interface ResourceRef {
  resource: string
  group: string
}

const qualified = (r: ResourceRef): string => (r.group ? `${r.resource}.${r.group}` : r.resource)

export const notFound = (r: ResourceRef, name: string): StubApiError =>
  new StubApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.resource,
  })

export const alreadyExists = (r: ResourceRef, name: string): StubApiError =>
  new StubApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.resource,
  })

export const badRequest = (message: string): StubApiError => new StubApiError(400, 'BadRequest', message)

export const unauthorized = (): StubApiError => new StubApiError(401, 'Unauthorized', 'Unauthorized')

export const internalError = (message: string): StubApiError =>
  new StubApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  })

export const methodNotAllowed = (): StubApiError =>
  new StubApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')

export const noSuchResource = (): StubApiError =>
  new StubApiError(404, 'NotFound', 'the server could not find the requested resource', {})

/**
 * 422 Invalid, as `field.ErrorList.ToAggregate()` words it: one cause is `Kind.group "name" is
 * invalid: field: message`; several are listed in brackets.
 */
export function invalid(
  kind: { kind: string; group: string },
  name: string,
  causes: StatusCause[],
): StubApiError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
  const list = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind
  return new StubApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, {
    name,
    ...(kind.group ? { group: kind.group } : {}),
    kind: kind.kind,
    causes,
  })
}

export function success(details: StatusDetails): StatusObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 }
}

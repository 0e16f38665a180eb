/**
 * Error codes and their HTTP statuses, in one table.
 *
 * The codes are MLflow's (databricks.proto ErrorCode) so MLflow clients map them to the
 * same exceptions. Statuses follow MLflow's `ERROR_CODE_TO_HTTP_STATUS` with one deliberate
 * difference, listed in docs/mlflow-differences.md: INVALID_STATE is a client mistake (400,
 * MLflow says 500). A wrong HTTP method is ENDPOINT_NOT_FOUND with status 405 (MLflow answers
 * an HTML 405 page); there is no code of its own for it, as MLflow's enum has none.
 */
export const ERROR_CODES = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 400,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  // MLflow answers 400 here, not 409; clients depend on it.
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_CONFLICT: 409,
  PERMISSION_DENIED: 403,
  CUSTOMER_UNAUTHORIZED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  NOT_IMPLEMENTED: 501,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** The one error class of Cairn: a code from the table and a message for the client. */
export class CairnError extends Error {
  readonly code: ErrorCode
  /** Set only for transport-level answers the table cannot express (405, 413). */
  private readonly statusOverride: number | undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CairnError'
    this.code = code
    this.statusOverride = options?.status
  }

  get status(): number {
    return this.statusOverride ?? ERROR_CODES[this.code]
  }

  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message }
  }
}

export function isCairnError(err: unknown): err is CairnError {
  return err instanceof CairnError
}

export const invalidParameter = (message: string): CairnError =>
  new CairnError('INVALID_PARAMETER_VALUE', message)

export const notFound = (message: string): CairnError => new CairnError('RESOURCE_DOES_NOT_EXIST', message)

export const alreadyExists = (message: string): CairnError => new CairnError('RESOURCE_ALREADY_EXISTS', message)

/** Error code for an HTTP status, for clients that received a body without one. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'RESOURCE_DOES_NOT_EXIST'
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED'
  if (status === 413) return 'RESOURCE_EXHAUSTED'
  if (status === 503) return 'TEMPORARILY_UNAVAILABLE'
  if (status >= 500) return 'INTERNAL_ERROR'
  return 'BAD_REQUEST'
}

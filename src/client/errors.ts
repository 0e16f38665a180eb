/** Errors the SDK throws. Server answers keep the server's `error_code`, whatever server it is. */
import { codeForStatus, type ErrorCode } from '../protocol/errors.js'

/**
 * The server answered with an error (`{error_code, message}` or, from proxies and older
 * servers, any non-2xx answer). `code` is the server's `error_code`; MLflow may send codes Cairn
 * never does, so it is typed as a string.
 */
export class CairnApiError extends Error {
  readonly code: ErrorCode | (string & {})
  readonly status: number
  /** `METHOD path` of the request, for messages and logs. */
  readonly request: string
  /** The server's Retry-After, when it sent one (429, 503). */
  readonly retryAfterMs: number | null

  constructor(opts: {
    code: string
    message: string
    status: number
    request: string
    retryAfterMs?: number | null
  }) {
    super(opts.message)
    this.name = 'CairnApiError'
    this.code = opts.code
    this.status = opts.status
    this.request = opts.request
    this.retryAfterMs = opts.retryAfterMs ?? null
  }

  /** Parses an error answer; bodies that are not MLflow's error JSON keep their status. */
  static fromAnswer(answer: {
    status: number
    body: string
    request: string
    retryAfterMs?: number | null
  }): CairnApiError {
    const { status, body, request } = answer
    const retryAfterMs = answer.retryAfterMs ?? null
    try {
      const json = JSON.parse(body) as unknown
      if (typeof json === 'object' && json !== null && 'error_code' in json) {
        const { error_code, message } = json as { error_code: unknown; message?: unknown }
        return new CairnApiError({
          code: String(error_code),
          message: typeof message === 'string' ? message : String(error_code),
          status,
          request,
          retryAfterMs,
        })
      }
    } catch {
      // Not JSON: an HTML error page or plain text from a proxy.
    }
    const text = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300)
    return new CairnApiError({
      code: codeForStatus(status),
      message: `${request} answered HTTP ${status}${text ? `: ${text}` : ''}`,
      status,
      request,
      retryAfterMs,
    })
  }
}

/** No answer at all: connection refused or reset, DNS failure, timeout. Always retryable. */
export class CairnNetworkError extends Error {
  readonly request: string

  constructor(request: string, cause: unknown) {
    const reason = describeCause(cause)
    super(`${request} failed: ${reason}`, { cause })
    this.name = 'CairnNetworkError'
    this.request = request
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause)
  // undici wraps the socket error: "fetch failed" with the useful part in `cause`.
  const inner = (cause as Error & { cause?: unknown }).cause
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: string }).code
    return code ? `${code} (${inner.message})` : inner.message
  }
  return cause.name === 'TimeoutError' ? 'request timed out' : cause.message
}

/** What a failed background send had in it, so callers know exactly what was not logged. */
export interface DroppedEntities {
  metrics: number
  params: number
  tags: number
}

/**
 * Background logging failed: some log-batch requests were refused (4xx) or still failed after
 * every retry. `errors` holds each failure; `dropped` counts what was not logged.
 */
export class CairnBatchError extends Error {
  readonly errors: Error[]
  readonly dropped: DroppedEntities

  constructor(runId: string, errors: Error[], dropped: DroppedEntities) {
    const lost = [
      dropped.params ? `${dropped.params} params` : '',
      dropped.tags ? `${dropped.tags} tags` : '',
      dropped.metrics ? `${dropped.metrics} metric points` : '',
    ].filter(Boolean)
    const first = errors[0]
    super(
      `${errors.length} log-batch request${errors.length === 1 ? '' : 's'} for run ${runId} failed; ` +
        `not logged: ${lost.join(', ') || 'nothing'}. ` +
        (first
          ? `First error: ${first instanceof CairnApiError ? `${first.code}: ` : ''}${first.message}`
          : ''),
    )
    this.name = 'CairnBatchError'
    this.errors = errors
    this.dropped = dropped
  }
}

/** MLflow's client retries 429 and 5xx; 501 NOT_IMPLEMENTED will not change on retry. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof CairnNetworkError) return true
  if (err instanceof CairnApiError) return err.status === 429 || (err.status >= 500 && err.status !== 501)
  return false
}

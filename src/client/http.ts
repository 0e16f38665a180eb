/**
 * The low-level client: calls any row of an endpoint table (TRACKING_API) over HTTP and turns
 * error answers into CairnApiError. Node's fetch (undici) keeps connections alive and pools
 * them, so consecutive calls reuse one socket.
 */
import type { AnyMessageSchema, Infer } from '../protocol/fields.js'
import type { Endpoint, HttpMethod } from '../protocol/endpoint.js'
import { doubleToWire } from '../protocol/wire.js'
import { CairnApiError, CairnNetworkError, isRetryable } from './errors.js'
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryOptions } from './retry.js'

/** What a caller may send for an endpoint: every field optional, as in MLflow's JSON. */
export type RequestOf<E> = E extends Endpoint<infer S, unknown> ? Partial<Infer<S['shape']>> : never
/** The answer's wire shape. */
export type AnswerOf<E> = E extends Endpoint<AnyMessageSchema, infer R> ? R : never

export interface HttpClientOptions {
  /** Already normalized (see resolveTrackingUri). */
  trackingUri: string
  retry?: Partial<RetryOptions>
  /** Per-request timeout for API calls (not artifact transfers). Default 120 s. */
  timeoutMs?: number
  /** Extra headers on every request (e.g. Authorization). */
  headers?: Record<string, string>
  /** For tests and custom agents. */
  fetch?: typeof fetch
}

export interface SendOptions {
  method: HttpMethod
  /** A path below the tracking URI starting with `/`, or an absolute http(s) URL. */
  path: string
  query?: URLSearchParams
  headers?: Record<string, string>
  /** A factory, so a retry can send a fresh body (streams are read once). */
  body?: () => NonNullable<RequestInit['body']>
  /** Streamed request bodies need half-duplex mode in Node's fetch. */
  streaming?: boolean
  /** null: no timeout (large downloads and uploads). */
  timeoutMs?: number | null
  retry?: boolean
}

/** JSON without losing NaN/±Infinity: proto3 JSON (and MLflow) spell them as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? doubleToWire(v) : v,
  )
}

/** A GET request's message as query parameters; repeated fields repeat the key. */
export function toQuery(request: Record<string, unknown>): URLSearchParams {
  const qs = new URLSearchParams()
  const add = (key: string, v: unknown): void => {
    if (v === undefined || v === null || v === '') return
    if (typeof v === 'number') qs.append(key, String(doubleToWire(v)))
    else if (typeof v === 'string' || typeof v === 'boolean') qs.append(key, String(v))
    else throw new TypeError(`Field '${key}' cannot be sent in a query string`)
  }
  for (const [key, v] of Object.entries(request)) {
    if (Array.isArray(v)) for (const item of v) add(key, item)
    else add(key, v)
  }
  return qs
}

/** MLflow's Python client sends POST where a row allows it (long filters fit in a body). */
export function methodFor(endpoint: Endpoint): HttpMethod {
  return endpoint.methods.includes('POST') ? 'POST' : (endpoint.methods[0] ?? 'GET')
}

export class HttpClient {
  readonly trackingUri: string
  readonly retry: RetryOptions
  private readonly timeoutMs: number
  private readonly headers: Record<string, string>
  private readonly doFetch: typeof fetch

  constructor(opts: HttpClientOptions) {
    this.trackingUri = opts.trackingUri
    this.retry = { ...DEFAULT_RETRY, ...opts.retry }
    this.timeoutMs = opts.timeoutMs ?? 120_000
    this.headers = opts.headers ?? {}
    this.doFetch = opts.fetch ?? fetch
  }

  /** Calls one endpoint row and returns its JSON answer. Retries network errors, 429 and 5xx. */
  async call<E extends Endpoint>(
    endpoint: E,
    request: RequestOf<E>,
    opts: { retry?: boolean } = {},
  ): Promise<AnswerOf<E>> {
    const method = methodFor(endpoint)
    const path = (endpoint.ajaxOnly ? '/ajax-api/2.0' : '/api/2.0') + endpoint.path
    const message = request as Record<string, unknown>
    const res = await this.send({
      method,
      path,
      ...(method === 'GET'
        ? { query: toQuery(message) }
        : { body: () => toJson(message), headers: { 'Content-Type': 'application/json' } }),
      retry: opts.retry ?? true,
    })
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      throw new CairnNetworkError(`${method} ${path}`, err)
    }
    return (text === '' ? {} : JSON.parse(text)) as AnswerOf<E>
  }

  /** One HTTP request with retries; resolves to a 2xx Response, else throws. */
  async send(opts: SendOptions): Promise<Response> {
    const qs = opts.query?.toString()
    const base = /^https?:\/\//.test(opts.path) ? opts.path : this.trackingUri + opts.path
    const url = qs ? `${base}?${qs}` : base
    const label = `${opts.method} ${opts.path}`
    const retries = opts.retry === false ? 0 : this.retry.maxRetries
    for (let attempt = 0; ; attempt++) {
      let retryAfter: number | null = null
      try {
        return await this.attempt(url, label, opts)
      } catch (err) {
        if (attempt >= retries || !isRetryable(err)) throw err
        if (err instanceof CairnApiError) retryAfter = err.retryAfterMs
      }
      await sleep(backoffDelay(attempt, this.retry, retryAfter))
    }
  }

  private async attempt(url: string, label: string, opts: SendOptions): Promise<Response> {
    const timeout = opts.timeoutMs === undefined ? this.timeoutMs : opts.timeoutMs
    const init: RequestInit & { duplex?: 'half' } = {
      method: opts.method,
      headers: { ...this.headers, ...opts.headers },
      ...(opts.body ? { body: opts.body() } : {}),
      ...(opts.streaming ? { duplex: 'half' } : {}),
      ...(timeout === null ? {} : { signal: AbortSignal.timeout(timeout) }),
    }
    let res: Response
    try {
      res = await this.doFetch(url, init)
    } catch (err) {
      throw new CairnNetworkError(label, err)
    }
    if (res.ok) return res
    let body = ''
    try {
      body = await res.text()
    } catch {
      // The connection dropped while reading the error; the status is enough.
    }
    throw CairnApiError.fromAnswer({
      status: res.status,
      body,
      request: label,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    })
  }
}

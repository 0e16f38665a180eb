/**
 * Webhook delivery: a JSON POST signed with HMAC-SHA256 over `<timestamp>.<body>` (the timestamp
 * is sent too, so a receiver can refuse replays), retried with exponential backoff on network
 * errors, timeouts, 429 and 5xx answers. Other 4xx answers are final: the receiver refused the
 * payload and sending it again would not change that. Every attempt carries the same delivery id,
 * so a receiver can drop duplicates.
 *
 * Headers: `X-Cairn-Event`, `X-Cairn-Delivery`, `X-Cairn-Timestamp` (Unix seconds) and, with a
 * secret, `X-Cairn-Signature: sha256=<hex>`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-cairn-signature'
export const TIMESTAMP_HEADER = 'x-cairn-timestamp'
export const DELIVERY_HEADER = 'x-cairn-delivery'
export const EVENT_HEADER = 'x-cairn-event'

export interface WebhookRequest {
  url: string
  event: string
  payload: unknown
  secret?: string
  headers?: Record<string, string>
  /** Attempts after the first (default 3). */
  retries?: number
}

export interface WebhookResult {
  url: string
  ok: boolean
  attempts: number
  /** The last answer's status, when there was one. */
  status?: number
  error?: string
  deliveryId: string
}

export interface DeliveryOptions {
  /** First backoff in ms (doubled each attempt, with jitter; default 500). */
  backoffMs?: number
  /** Longest wait between attempts (default 30 s; also caps Retry-After). */
  maxBackoffMs?: number
  /** Per attempt (default 10 s). */
  timeoutMs?: number
  /** Epoch ms (default Date.now). */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  fetch?: typeof fetch
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * For receivers: true when `signature` is the body's signature with `secret` and the timestamp
 * is within `toleranceMs` of `now` (default 5 minutes).
 */
export function verifySignature(opts: {
  secret: string
  body: string
  timestamp: string | undefined
  signature: string | undefined
  now?: number
  toleranceMs?: number
}): boolean {
  const { secret, body, timestamp, signature } = opts
  if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) return false
  const age = Math.abs((opts.now ?? Date.now()) - Number(timestamp) * 1000)
  if (age > (opts.toleranceMs ?? 300_000)) return false
  const expected = Buffer.from(signPayload(secret, timestamp, body))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

const retryable = (status: number): boolean => status === 429 || status === 408 || status >= 500

function retryAfterMs(h: string | null): number | null {
  if (h === null) return null
  const s = Number(h)
  if (Number.isFinite(s) && s >= 0) return s * 1000
  const t = Date.parse(h)
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now())
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Sends one webhook with its retries; never throws (the result says what happened). */
export async function deliverWebhook(
  req: WebhookRequest,
  opts: DeliveryOptions = {},
): Promise<WebhookResult> {
  const body = JSON.stringify(req.payload)
  const deliveryId = randomUUID()
  const retries = req.retries ?? 3
  const base = opts.backoffMs ?? 500
  const cap = opts.maxBackoffMs ?? 30_000
  const sleep = opts.sleep ?? defaultSleep
  const doFetch = opts.fetch ?? fetch
  const result: WebhookResult = { url: req.url, ok: false, attempts: 0, deliveryId }
  for (let attempt = 0; attempt <= retries; attempt++) {
    // Signed per attempt: the timestamp is the send time, so a receiver's replay window holds.
    const timestamp = String(Math.floor((opts.now ?? Date.now)() / 1000))
    const headers: Record<string, string> = {
      ...req.headers,
      'Content-Type': 'application/json',
      'User-Agent': 'cairn-webhook',
      [EVENT_HEADER]: req.event,
      [DELIVERY_HEADER]: deliveryId,
      [TIMESTAMP_HEADER]: timestamp,
    }
    if (req.secret) headers[SIGNATURE_HEADER] = signPayload(req.secret, timestamp, body)
    result.attempts = attempt + 1
    let wait: number | null = null
    try {
      const res = await doFetch(req.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      result.status = res.status
      if (res.ok) {
        result.ok = true
        delete result.error
        return result
      }
      result.error = `HTTP ${res.status}`
      if (!retryable(res.status)) return result
      wait = retryAfterMs(res.headers.get('retry-after'))
    } catch (err) {
      delete result.status
      result.error =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
    }
    if (attempt < retries) {
      const backoff = base * 2 ** attempt
      await sleep(Math.min(cap, wait ?? backoff * (0.5 + Math.random() / 2)))
    }
  }
  return result
}

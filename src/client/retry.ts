/** Exponential backoff with full jitter, as MLflow's client and most HTTP SDKs retry. */

export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number
  /** First backoff ceiling; doubles on each retry. */
  baseDelayMs: number
  /** Largest backoff ceiling. */
  maxDelayMs: number
}

/** About 35 s of retrying in the worst case before a request is given up. */
export const DEFAULT_RETRY: RetryOptions = { maxRetries: 7, baseDelayMs: 250, maxDelayMs: 15_000 }

/**
 * Full jitter: a uniformly random wait below the exponential ceiling, so clients that failed
 * together do not retry together. A server's Retry-After (seconds) raises the wait.
 */
export function backoffDelay(
  attempt: number,
  opts: RetryOptions,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt)
  const jittered = Math.floor(random() * ceiling)
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, opts.maxDelayMs))
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

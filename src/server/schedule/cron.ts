/**
 * Cron expressions through croner: 5 fields (minute precision, as Kubernetes CronJobs) or 6 with
 * seconds first, evaluated in an IANA time zone (default UTC, so a schedule means the same on
 * every replica whatever the machine's zone).
 */
import { Cron } from 'croner'
import { invalidParameter } from '../../protocol/errors.js'

export function validateTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
  } catch {
    throw invalidParameter(
      `Unknown time zone '${tz}'; use an IANA name such as UTC, Europe/Paris, America/New_York.`,
    )
  }
}

// Day-of-month and day-of-week combine with OR, as in Vixie cron and Kubernetes CronJobs.
function cron(expr: string, tz: string): Cron {
  return new Cron(expr, { timezone: tz, paused: true, domAndDow: false })
}

/** Throws INVALID_PARAMETER_VALUE naming what is wrong with the expression. */
export function validateCron(expr: string, tz: string): void {
  validateTimezone(tz)
  const fields = expr.trim().split(/\s+/).length
  if (fields !== 5 && fields !== 6) {
    throw invalidParameter(
      `Cron expression '${expr}' has ${fields} fields; use 5 (minute hour day month weekday) or 6 (seconds first).`,
    )
  }
  let c: Cron
  try {
    c = cron(expr, tz)
  } catch (err) {
    throw invalidParameter(`Invalid cron expression '${expr}': ${(err as Error).message}`)
  }
  if (c.nextRun(new Date(0)) === null) throw invalidParameter(`Cron expression '${expr}' never fires.`)
}

/** The first fire time strictly after `after`, or null. */
export function nextFireAfter(expr: string, tz: string, after: number): number | null {
  return cron(expr, tz).nextRun(new Date(after))?.getTime() ?? null
}

/** Most due times counted one by one; past it the count is a lower bound (a very long outage). */
const COUNT_CAP = 10_000

/**
 * Fire times in (after, now], oldest first: the first `limit` of them, the newest one (even when
 * there are more than `limit`, so a long outage without catch-up still fires once), and how many.
 */
export function dueFireTimes(
  expr: string,
  tz: string,
  range: { after: number; now: number; limit: number },
): { times: number[]; latest: number | null; count: number } {
  const c = cron(expr, tz)
  const times: number[] = []
  let latest: number | null = null
  let count = 0
  let cursor = new Date(range.after)
  while (count < COUNT_CAP) {
    const next = c.nextRun(cursor)
    if (next === null || next.getTime() > range.now) return { times, latest, count }
    count++
    latest = next.getTime()
    if (times.length < range.limit) times.push(latest)
    cursor = next
  }
  latest = c.previousRuns(1, new Date(range.now + 1))[0]?.getTime() ?? latest
  return { times, latest, count }
}

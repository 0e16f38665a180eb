/** A normalized monitor back to its document form (what the store keeps and the API answers). */
import type { MonitorSpec } from './spec.js'

type Raw = Record<string, unknown>

const omitUndefined = (o: Raw): Raw =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** The document form of a normalized monitor (what the store keeps and the API answers). */
export function monitorToRaw(s: MonitorSpec, opts: { redactSecrets?: boolean } = {}): Raw {
  const cur = s.current
  return omitUndefined({
    name: s.name,
    model: s.modelUri,
    window: formatWindow(s.windowMs),
    schedule: s.schedule ? { cron: s.schedule.cron, timezone: s.schedule.timezone } : undefined,
    current:
      cur.kind === 'file'
        ? { file: cur.path }
        : { prediction_log: omitUndefined({ dir: cur.dir, model: cur.model, roles: cur.roles }) },
    reference: s.referenceFile ? { file: s.referenceFile } : undefined,
    checks: omitUndefined({
      drift: s.drift
        ? omitUndefined({
            method: s.drift.method,
            threshold: s.drift.threshold,
            drift_share: s.drift.driftShare,
            columns: s.drift.columns,
            per_column: Object.keys(s.drift.perColumn).length ? s.drift.perColumn : undefined,
            fail_on: s.drift.failOn,
          })
        : undefined,
      validation: s.validation
        ? omitUndefined({ max_failures: s.validation.maxFailures, file: s.validation.file })
        : undefined,
      quality: s.quality
        ? omitUndefined({
            checks: s.quality.checks,
            min_labelled: s.quality.minLabelled,
            output: s.quality.output,
            score_output: s.quality.scoreOutput,
            positive_label: s.quality.positiveLabel,
            sliding_window:
              s.quality.slidingWindowMs !== undefined ? formatWindow(s.quality.slidingWindowMs) : undefined,
          })
        : undefined,
    }),
    alerts: omitUndefined({
      cooldown: formatWindow(s.alerts.cooldownMs),
      webhooks: s.alerts.webhooks.map((w) =>
        omitUndefined({
          url: w.url,
          secret: w.secret !== undefined ? (opts.redactSecrets ? '***' : w.secret) : undefined,
          secret_env: w.secretEnv,
          headers: Object.keys(w.headers).length ? w.headers : undefined,
          retries: w.retries,
        }),
      ),
      pipeline: s.alerts.pipeline ? omitUndefined({ ...s.alerts.pipeline }) : undefined,
    }),
  })
}

/** 86400000 → "1d", 5400000 → "1h30m", 0 → "0". */
export function formatWindow(ms: number): string {
  if (ms === 0) return '0'
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join('')
}

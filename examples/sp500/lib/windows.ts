/**
 * The periods monitoring compares: the training period (the reference, what the champion learned
 * from) and a later window of days (the "current" data). No Cairn server needed.
 */
import type { FeatureRow, FeatureTable } from './features.js'
import { timeSplit } from './split.js'

/** `last-N` (the newest N feature rows) or `FROM..TO` (ISO dates, inclusive; either side may be empty). */
export type Period = { kind: 'last'; days: number } | { kind: 'range'; from: string; to: string }

export const DEFAULT_PERIOD = 'last-250'

const DATE = /^\d{4}-\d{2}-\d{2}$/

export function parsePeriod(text: string): Period {
  const t = text.trim()
  const last = /^last-(\d+)$/.exec(t)
  if (last) {
    const days = Number(last[1])
    if (days >= 1) return { kind: 'last', days }
  }
  const range = /^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$/.exec(t)
  if (range && (range[1] !== undefined || range[2] !== undefined)) {
    const from = range[1] ?? ''
    const to = range[2] ?? '9999-12-31'
    if ((from === '' || DATE.test(from)) && from <= to) return { kind: 'range', from, to }
  }
  throw new Error(
    `'${text}' is not a period: give last-N (the newest N trading days) or FROM..TO (e.g. 2008-01-01..2008-12-31)`,
  )
}

/** The feature rows of a period (the newest day, without a label, included). */
export function selectPeriod(rows: readonly FeatureRow[], period: Period): FeatureRow[] {
  const picked =
    period.kind === 'last'
      ? rows.slice(Math.max(0, rows.length - period.days))
      : rows.filter((r) => r.date >= period.from && r.date <= period.to)
  if (picked.length === 0) {
    const span = rows.length ? `${rows[0]!.date} → ${rows.at(-1)!.date}` : 'no rows'
    throw new Error(`no feature rows in the period ${describePeriod(period)} (the data has ${span})`)
  }
  return picked
}

export function describePeriod(p: Period): string {
  return p.kind === 'last' ? `the newest ${p.days} trading days` : `${p.from || '…'}..${p.to}`
}

/** The days the models train on: the oldest labelled days of the same time-ordered split as `train`. */
export function trainingRows(table: FeatureTable, valFraction: number, testFraction: number): FeatureRow[] {
  return timeSplit(table.rows, valFraction, testFraction).train
}

/** The feature columns only (no date, price or label): a reference whose every column is compared. */
export function featureColumns(table: FeatureTable, rows: readonly FeatureRow[]): Record<string, number[]> {
  return Object.fromEntries(table.names.map((n, i) => [n, rows.map((r) => r.values[i]!)]))
}

/** `<features…>` as CSV, numbers exact. */
export function featureColumnsCsv(table: FeatureTable, rows: readonly FeatureRow[]): string {
  return `${[table.names.join(','), ...rows.map((r) => r.values.map(String).join(','))].join('\n')}\n`
}

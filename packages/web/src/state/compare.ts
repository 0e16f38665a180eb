/** The compare view's tables and CSV, from whole runs (pure, so component tests cover them). */
import type { WireRun } from '../../../../src/protocol/wire.js'
import { toCsv } from './format.js'

export interface CompareRow {
  key: string
  values: (string | undefined)[]
  /** Whether the runs disagree (a missing value counts as different). */
  differs: boolean
}

const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'NaN' ? Number.NaN : Number(v))

export function paramRows(runs: WireRun[]): CompareRow[] {
  const keys = new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))
  return [...keys].sort().map((key) => {
    const values = runs.map((r) => r.data.params?.find((p) => p.key === key)?.value)
    return { key, values, differs: new Set(values).size > 1 }
  })
}

/** Lower is better for losses and errors, higher for everything else; the person can flip it. */
export function defaultGoal(metric: string): 'min' | 'max' {
  return /loss|err|mae|mse|rmse|perplexity|latency|time|cost/i.test(metric) ? 'min' : 'max'
}

export interface MetricCompareRow {
  key: string
  values: (number | undefined)[]
  /** Index of the best run (by goal), or -1 when no run has a finite value. */
  best: number
}

export function metricRows(runs: WireRun[], goals: Record<string, 'min' | 'max'>): MetricCompareRow[] {
  const keys = new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))
  return [...keys].sort().map((key) => {
    const values = runs.map((r) => {
      const m = r.data.metrics?.find((x) => x.key === key)
      return m === undefined ? undefined : num(m.value)
    })
    const goal = goals[key] ?? defaultGoal(key)
    let best = -1
    values.forEach((v, i) => {
      if (v === undefined || !Number.isFinite(v)) return
      const b = best === -1 ? undefined : values[best]!
      if (b === undefined || (goal === 'min' ? v < b : v > b)) best = i
    })
    return { key, values, best }
  })
}

export function compareCsv(runs: WireRun[]): string {
  const header = ['field', ...runs.map((r) => r.info.run_name || r.info.run_id)]
  const rows: string[][] = [
    header,
    ['run_id', ...runs.map((r) => r.info.run_id)],
    ['status', ...runs.map((r) => r.info.status)],
  ]
  for (const p of paramRows(runs)) rows.push([`params.${p.key}`, ...p.values.map((v) => v ?? '')])
  for (const m of metricRows(runs, {}))
    rows.push([`metrics.${m.key}`, ...m.values.map((v) => (v === undefined ? '' : String(v)))])
  const tagKeys = [...new Set(runs.flatMap((r) => (r.data.tags ?? []).map((t) => t.key)))]
    .filter((k) => !k.startsWith('mlflow.'))
    .sort()
  for (const k of tagKeys)
    rows.push([`tags.${k}`, ...runs.map((r) => r.data.tags?.find((t) => t.key === k)?.value ?? '')])
  return toCsv(rows)
}

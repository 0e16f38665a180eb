/** Grouping runs by a param or tag: count and, per metric, mean, min and max of each group. */
import { cellValue, type RunRow } from './columns.js'

export interface Aggregate {
  count: number
  mean: number
  min: number
  max: number
}

export interface Group {
  value: string | undefined
  runs: number
  metrics: Map<string, Aggregate>
}

export function groupRuns(rows: RunRow[], by: string): Group[] {
  const groups = new Map<string | undefined, { rows: RunRow[] }>()
  for (const r of rows) {
    const v = cellValue(r, by)
    const key = v === undefined ? undefined : String(v)
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { rows: [] }))
    g.rows.push(r)
  }
  const out: Group[] = []
  for (const [value, g] of groups) {
    const metrics = new Map<string, { sum: number; count: number; min: number; max: number }>()
    for (const r of g.rows)
      for (const [k, v] of r.metrics) {
        if (!Number.isFinite(v)) continue
        const a = metrics.get(k) ?? { sum: 0, count: 0, min: Infinity, max: -Infinity }
        a.sum += v
        a.count++
        a.min = Math.min(a.min, v)
        a.max = Math.max(a.max, v)
        metrics.set(k, a)
      }
    out.push({
      value,
      runs: g.rows.length,
      metrics: new Map(
        [...metrics].map(([k, a]) => [k, { count: a.count, mean: a.sum / a.count, min: a.min, max: a.max }]),
      ),
    })
  }
  // Largest groups first; runs without the key last.
  return out.sort((a, b) =>
    a.value === undefined
      ? 1
      : b.value === undefined
        ? -1
        : b.runs - a.runs || String(a.value).localeCompare(String(b.value)),
  )
}

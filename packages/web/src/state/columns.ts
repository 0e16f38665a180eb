/**
 * Runs-table columns: ids are the search language's own names (`metrics.acc`,
 * `params.lr`, `tags.team`, `attributes.start_time`), so a column id is also its sort key and
 * its filter key.
 */
import type { WireRun } from '../../../../src/protocol/wire.js'

export type ColumnKind = 'attributes' | 'metrics' | 'params' | 'tags'

export interface RunRow {
  id: string
  name: string
  experimentId: string
  status: string
  userId: string
  startTime: number
  endTime: number | null
  lifecycleStage: string
  metrics: Map<string, number>
  params: Map<string, string>
  tags: Map<string, string>
}

const num = (v: number | string): number =>
  typeof v === 'number'
    ? v
    : v === 'NaN'
      ? Number.NaN
      : v === 'Infinity'
        ? Infinity
        : v === '-Infinity'
          ? -Infinity
          : Number(v)

export function toRow(run: WireRun): RunRow {
  const info = run.info
  const metrics = new Map<string, number>()
  for (const m of run.data?.metrics ?? []) metrics.set(m.key, num(m.value))
  const params = new Map<string, string>()
  for (const p of run.data?.params ?? []) params.set(p.key, p.value)
  const tags = new Map<string, string>()
  for (const t of run.data?.tags ?? []) tags.set(t.key, t.value)
  return {
    id: info.run_id,
    name: info.run_name,
    experimentId: info.experiment_id,
    status: info.status,
    userId: info.user_id,
    startTime: Number(info.start_time),
    endTime: info.end_time === undefined ? null : Number(info.end_time),
    lifecycleStage: info.lifecycle_stage,
    metrics,
    params,
    tags,
  }
}

export const ATTRIBUTE_COLUMNS = [
  'attributes.run_name',
  'attributes.start_time',
  'attributes.status',
  'attributes.user_id',
  'attributes.end_time',
] as const

const ATTRIBUTE_LABELS: Record<string, string> = {
  run_name: 'Run',
  start_time: 'Started',
  status: 'Status',
  user_id: 'User',
  end_time: 'Ended',
}

export function splitColumn(id: string): { kind: ColumnKind; key: string } {
  const dot = id.indexOf('.')
  return { kind: id.slice(0, dot) as ColumnKind, key: id.slice(dot + 1) }
}

export function columnLabel(id: string): string {
  const { kind, key } = splitColumn(id)
  return kind === 'attributes' ? (ATTRIBUTE_LABELS[key] ?? key) : key
}

/** The cell's value: numbers for metrics and times, strings otherwise, undefined when missing. */
export function cellValue(row: RunRow, id: string): string | number | undefined {
  const { kind, key } = splitColumn(id)
  switch (kind) {
    case 'metrics':
      return row.metrics.get(key)
    case 'params':
      return row.params.get(key)
    case 'tags':
      return row.tags.get(key)
    case 'attributes':
      if (key === 'run_name') return row.name
      if (key === 'start_time') return row.startTime
      if (key === 'end_time') return row.endTime ?? undefined
      if (key === 'status') return row.status
      if (key === 'user_id') return row.userId
      return undefined
  }
}

/** A numeric reading of a cell (params often hold numbers), NaN when it has none. */
export function numericValue(row: RunRow, id: string): number {
  const v = cellValue(row, id)
  if (typeof v === 'number') return v
  if (v === undefined || v.trim() === '') return Number.NaN
  return Number(v)
}

/** An identifier as the search language reads it: keys with other characters go in backticks. */
export function searchKey(id: string): string {
  const { kind, key } = splitColumn(id)
  return /^[A-Za-z_][\w]*$/.test(key) ? `${kind}.${key}` : `${kind}.\`${key}\``
}

export function orderByClause(sort: { column: string; ascending: boolean } | null): string[] {
  return sort ? [`${searchKey(sort.column)} ${sort.ascending ? 'ASC' : 'DESC'}`] : []
}

function add(set: Set<string>, key: string): boolean {
  if (set.has(key)) return false
  set.add(key)
  return true
}

/** Columns seen in a page of runs, sorted within each kind. */
export function discoverColumns(
  rows: RunRow[],
  into: { metrics: Set<string>; params: Set<string>; tags: Set<string> },
): boolean {
  let grew = false
  for (const r of rows) {
    for (const k of r.metrics.keys()) grew = add(into.metrics, k) || grew
    for (const k of r.params.keys()) grew = add(into.params, k) || grew
    for (const k of r.tags.keys()) {
      // MLflow's system tags (run name, user, source) are attributes or noise in a table.
      if (k.startsWith('mlflow.')) continue
      grew = add(into.tags, k) || grew
    }
  }
  return grew
}

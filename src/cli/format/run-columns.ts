/**
 * Columns of `cairn runs list`: the fixed ones (short id, name, status, start time), then either
 * the `--columns` the user named or a pick of params and metrics worth comparing.
 */
import type { Run } from '../../protocol/entities.js'
import type { Cell, Column } from './table.js'
import type { Style } from './style.js'
import { formatDuration, formatNumber, formatTime, shortId } from './values.js'

const ATTRIBUTES = [
  'run_id',
  'run_name',
  'status',
  'start_time',
  'end_time',
  'duration',
  'user_id',
  'experiment_id',
  'artifact_uri',
  'lifecycle_stage',
] as const
type Attribute = (typeof ATTRIBUTES)[number]

export type RunColumn =
  | { kind: 'attribute'; key: Attribute; header: string }
  | { kind: 'param' | 'metric' | 'tag'; key: string; header: string }

const PREFIXES: Record<string, 'param' | 'metric' | 'tag' | 'attribute'> = {
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  metric: 'metric',
  metrics: 'metric',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
}

const ATTRIBUTE_ALIASES: Record<string, Attribute> = {
  name: 'run_name',
  id: 'run_id',
  start: 'start_time',
  end: 'end_time',
}

const HEADERS: Record<Attribute, string> = {
  run_id: 'Run ID',
  run_name: 'Name',
  status: 'Status',
  start_time: 'Started',
  end_time: 'Ended',
  duration: 'Duration',
  user_id: 'User',
  experiment_id: 'Experiment',
  artifact_uri: 'Artifact URI',
  lifecycle_stage: 'Stage',
}

export const BASE_COLUMNS: RunColumn[] = (['run_id', 'run_name', 'status', 'start_time'] as const).map(
  (key) => ({
    kind: 'attribute',
    key,
    header: HEADERS[key],
  }),
)

/** Strips one level of backticks or double quotes, as the search language allows around keys. */
function unquote(key: string): string {
  const m = /^(`|")(.*)\1$/.exec(key)
  return m ? m[2]! : key
}

/** `params.lr`, ``metrics.`f1 score` ``, `tags.team`, `status`, `attributes.end_time`. Throws on anything else. */
export function parseColumn(spec: string): RunColumn {
  const text = spec.trim()
  const dot = text.indexOf('.')
  const prefix = dot > 0 ? PREFIXES[text.slice(0, dot).toLowerCase()] : undefined
  if (prefix !== undefined && prefix !== 'attribute') {
    const key = unquote(text.slice(dot + 1))
    if (key !== '')
      return { kind: prefix, key, header: `${prefix === 'param' ? 'params' : `${prefix}s`}.${key}` }
  }
  const name = prefix === 'attribute' ? text.slice(dot + 1) : text
  const attr = ATTRIBUTE_ALIASES[name] ?? (ATTRIBUTES as readonly string[]).find((a) => a === name)
  if (attr !== undefined)
    return { kind: 'attribute', key: attr as Attribute, header: HEADERS[attr as Attribute] }
  throw new Error(
    `unknown column '${spec}': use params.<key>, metrics.<key>, tags.<key> or one of ${ATTRIBUTES.join(', ')}`,
  )
}

/** Metric keys named in order_by clauses (`metrics.acc DESC`), in order. */
export function orderByMetrics(orderBy: string[]): string[] {
  const out: string[] = []
  for (const clause of orderBy) {
    const m = /^\s*metrics?\.(`[^`]+`|"[^"]+"|\S+)/i.exec(clause)
    if (m) out.push(unquote(m[1]!))
  }
  return out
}

/**
 * Without --columns: metrics named in --order-by, then the metrics most runs have; params whose
 * values differ between the runs (all params when there is one run). At most `max` of each.
 */
export function pickColumns(runs: Run[], orderBy: string[], max = 4): RunColumn[] {
  const metricCounts = new Map<string, number>()
  const paramValues = new Map<string, Set<string>>()
  const paramCounts = new Map<string, number>()
  for (const run of runs) {
    for (const m of run.data.metrics) metricCounts.set(m.key, (metricCounts.get(m.key) ?? 0) + 1)
    for (const p of run.data.params) {
      paramCounts.set(p.key, (paramCounts.get(p.key) ?? 0) + 1)
      if (!paramValues.has(p.key)) paramValues.set(p.key, new Set())
      paramValues.get(p.key)!.add(p.value)
    }
  }
  const byCountThenName = (counts: Map<string, number>) => (a: string, b: string) =>
    (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0)
  const varying = [...paramValues.keys()].filter(
    (k) => runs.length === 1 || paramValues.get(k)!.size > 1 || (paramCounts.get(k) ?? 0) < runs.length,
  )
  const params = varying.sort(byCountThenName(paramCounts)).slice(0, max)
  const metrics = [
    ...new Set([...orderByMetrics(orderBy), ...[...metricCounts.keys()].sort(byCountThenName(metricCounts))]),
  ]
  return [
    ...params.map((key): RunColumn => ({ kind: 'param', key, header: `params.${key}` })),
    ...metrics
      .slice(0, Math.max(max, orderByMetrics(orderBy).length))
      .map((key): RunColumn => ({ kind: 'metric', key, header: `metrics.${key}` })),
  ]
}

export function paintStatus(status: string, style: Style): (s: string) => string {
  if (status === 'FINISHED') return style.green
  if (status === 'FAILED' || status === 'KILLED') return style.red
  if (status === 'RUNNING') return style.yellow
  return (s) => s
}

function attributeText(run: Run, key: Attribute, fullIds: boolean): string {
  const i = run.info
  switch (key) {
    case 'run_id':
      return fullIds ? i.runId : shortId(i.runId)
    case 'run_name':
      return i.runName
    case 'status':
      return i.status
    case 'start_time':
      return formatTime(i.startTime)
    case 'end_time':
      return formatTime(i.endTime)
    case 'duration':
      return i.endTime === null ? '-' : formatDuration(i.endTime - i.startTime)
    case 'user_id':
      return i.userId
    case 'experiment_id':
      return i.experimentId
    case 'artifact_uri':
      return i.artifactUri
    case 'lifecycle_stage':
      return i.lifecycleStage
  }
}

export function columnHeader(col: RunColumn): Column {
  const right = col.kind === 'metric' || (col.kind === 'attribute' && col.key === 'duration')
  return { header: col.header, align: right ? 'right' : 'left' }
}

export function runCell(run: Run, col: RunColumn, opts: { style: Style; fullIds?: boolean }): Cell {
  const missing: Cell = { text: '-', paint: opts.style.dim }
  switch (col.kind) {
    case 'attribute': {
      const text = attributeText(run, col.key, opts.fullIds ?? false)
      return col.key === 'status' ? { text, paint: paintStatus(text, opts.style) } : text
    }
    case 'metric': {
      const m = run.data.metrics.find((x) => x.key === col.key)
      return m === undefined ? missing : formatNumber(m.value)
    }
    case 'param':
      return run.data.params.find((x) => x.key === col.key)?.value ?? missing
    case 'tag':
      return run.data.tags.find((x) => x.key === col.key)?.value ?? missing
  }
}

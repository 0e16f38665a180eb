/**
 * The runs page's whole view state, read from and written to the URL's query string, so that a
 * link reproduces the view: experiments, filter, sort, visible columns, grouping, selection,
 * tab, chart axis and smoothing.
 */
export type RunsTab = 'table' | 'charts' | 'scatter' | 'parallel'
export const RUNS_TABS: readonly RunsTab[] = ['table', 'charts', 'scatter', 'parallel']

export interface RunsView {
  experimentIds: string[]
  filter: string
  sort: { column: string; ascending: boolean } | null
  /** Visible columns in order; null: the defaults (attributes, then every metric and param). */
  columns: string[] | null
  groupBy: string | null
  selected: string[]
  tab: RunsTab
  x: 'step' | 'time'
  /** Exponential smoothing weight in [0, 0.99]. */
  smoothing: number
  scatter: { x: string | null; y: string | null }
  parallel: string[]
  deleted: boolean
}

const list = (v: string | null): string[] =>
  v
    ? v
        .split(',')
        .filter((s) => s !== '')
        .map(decodeURIComponent)
    : []
const joinList = (v: string[]): string => v.map((s) => encodeURIComponent(s).replaceAll('%20', ' ')).join(',')

export function parseRunsView(q: URLSearchParams): RunsView {
  const sort = q.get('sort')
  const tab = q.get('tab') as RunsTab | null
  const smoothing = Number(q.get('smooth') ?? '0')
  const cols = q.get('cols')
  return {
    experimentIds: list(q.get('e')),
    filter: q.get('q') ?? '',
    sort: sort ? { column: sort.replace(/^-/, ''), ascending: !sort.startsWith('-') } : null,
    columns: cols === null ? null : list(cols),
    groupBy: q.get('group') || null,
    selected: list(q.get('sel')),
    tab: tab && RUNS_TABS.includes(tab) ? tab : 'table',
    x: q.get('x') === 'time' ? 'time' : 'step',
    smoothing: Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0,
    scatter: { x: q.get('sx') || null, y: q.get('sy') || null },
    parallel: list(q.get('pc')),
    deleted: q.get('deleted') === '1',
  }
}

export function runsViewQuery(v: RunsView): URLSearchParams {
  const q = new URLSearchParams()
  if (v.experimentIds.length) q.set('e', v.experimentIds.join(','))
  if (v.filter) q.set('q', v.filter)
  if (v.sort) q.set('sort', `${v.sort.ascending ? '' : '-'}${v.sort.column}`)
  if (v.columns !== null) q.set('cols', joinList(v.columns))
  if (v.groupBy) q.set('group', v.groupBy)
  if (v.selected.length) q.set('sel', v.selected.join(','))
  if (v.tab !== 'table') q.set('tab', v.tab)
  if (v.x !== 'step') q.set('x', v.x)
  if (v.smoothing > 0) q.set('smooth', String(v.smoothing))
  if (v.scatter.x) q.set('sx', v.scatter.x)
  if (v.scatter.y) q.set('sy', v.scatter.y)
  if (v.parallel.length) q.set('pc', joinList(v.parallel))
  if (v.deleted) q.set('deleted', '1')
  return q
}

/** The runs page's chart tabs: metric histories of the selected runs, scatter, parallel coordinates. */
import { useEffect, useState } from 'react'
import { errorMessage } from '../api/client.js'
import { fetchRuns } from '../api/fetch-runs.js'
import { MetricChart, type ChartRun } from '../charts/metric-chart.js'
import { ParallelCoordinates } from '../charts/parallel.js'
import { Scatter } from '../charts/scatter.js'
import { colorFor } from '../charts/scale.js'
import { navigate } from '../router.js'
import type { RunRow } from '../state/columns.js'
import type { RunPages, RunQuery } from '../state/run-pages.js'
import type { RunsView } from '../state/runs-view.js'

const PLOT_LIMIT = 5000

export interface RunsChartsProps {
  view: RunsView
  query: RunQuery
  pages: RunPages
  metricKeys: string[]
  allColumns: string[]
  update: (patch: Partial<RunsView>) => void
}

export function ChartControls(props: {
  x: 'step' | 'time'
  smoothing: number
  onChange: (p: { x?: 'step' | 'time'; smoothing?: number }) => void
}): React.JSX.Element {
  return (
    <div className="toolbar-row">
      <span role="radiogroup" aria-label="X axis" className="segmented">
        {(['step', 'time'] as const).map((x) => (
          <button
            key={x}
            role="radio"
            aria-checked={props.x === x}
            className={props.x === x ? 'active' : ''}
            onClick={() => props.onChange({ x })}
          >
            {x === 'step' ? 'Steps' : 'Time'}
          </button>
        ))}
      </span>
      <label>
        Smoothing{' '}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={props.smoothing}
          onChange={(e) => props.onChange({ smoothing: Number(e.target.value) })}
          aria-valuetext={String(props.smoothing)}
        />{' '}
        {props.smoothing.toFixed(2)}
      </label>
    </div>
  )
}

export function RunsCharts({
  view,
  query,
  pages,
  metricKeys,
  allColumns,
  update,
}: RunsChartsProps): React.JSX.Element {
  const [plotRows, setPlotRows] = useState<{ rows: RunRow[]; more: boolean } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [metricFilter, setMetricFilter] = useState('')
  const needRows = view.tab === 'scatter' || view.tab === 'parallel'
  useEffect(() => {
    if (!needRows) return
    const signal = { cancelled: false }
    fetchRuns(query, PLOT_LIMIT, signal).then(
      (r) => !signal.cancelled && setPlotRows(r),
      (err: unknown) => setError(errorMessage(err)),
    )
    return () => {
      signal.cancelled = true
    }
  }, [query, needRows])

  if (view.tab === 'charts') {
    // The selected runs; with none selected, the first ten in the table's order.
    const ids =
      view.selected.length > 0
        ? view.selected
        : Array.from({ length: 10 }, (_, i) => pages.row(i)?.id).filter((x): x is string => x !== undefined)
    const runs: ChartRun[] = ids.slice(0, 100).map((id, i) => {
      let label = id.slice(0, 8)
      for (let r = 0; r < Math.min(pages.known, 1000); r++)
        if (pages.row(r)?.id === id) label = pages.row(r)!.name || label
      return { id, label, color: colorFor(i) }
    })
    const keys = metricKeys.filter((k) => k.toLowerCase().includes(metricFilter.toLowerCase()))
    return (
      <div>
        <ChartControls x={view.x} smoothing={view.smoothing} onChange={(p) => update(p)} />
        <div className="toolbar-row">
          <span className="muted">
            {view.selected.length > 0
              ? `${runs.length} selected runs`
              : `No runs selected: the first ${runs.length} in the table`}
          </span>
          <label>
            <span className="sr-only">Filter metrics</span>
            <input
              type="search"
              placeholder="Filter metrics"
              value={metricFilter}
              onChange={(e) => setMetricFilter(e.target.value)}
            />
          </label>
        </div>
        <div className="legend">
          {runs.map((r) => (
            <span key={r.id}>
              <span className="swatch" style={{ background: r.color }} /> {r.label}
            </span>
          ))}
        </div>
        <div className="chart-grid">
          {keys.slice(0, 30).map((k) => (
            <MetricChart key={k} metricKey={k} runs={runs} x={view.x} smoothing={view.smoothing} />
          ))}
        </div>
        {keys.length > 30 && <p className="muted">{keys.length - 30} more metrics: filter to see them.</p>}
      </div>
    )
  }

  const numeric = allColumns.filter((c) => c.startsWith('metrics.') || c.startsWith('params.'))
  if (error) return <p className="error">{error}</p>
  if (!plotRows) return <p className="muted">Loading up to {PLOT_LIMIT.toLocaleString()} runs…</p>
  const note = plotRows.more ? (
    <p className="muted">The first {PLOT_LIMIT.toLocaleString()} runs in the table's order.</p>
  ) : null

  if (view.tab === 'scatter') {
    const x = view.scatter.x ?? numeric.find((c) => c.startsWith('params.')) ?? numeric[0] ?? ''
    const y = view.scatter.y ?? numeric.find((c) => c.startsWith('metrics.')) ?? numeric[1] ?? ''
    const pick = (label: string, value: string, set: (v: string) => void): React.JSX.Element => (
      <label>
        {label}{' '}
        <select value={value} onChange={(e) => set(e.target.value)}>
          {numeric.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
    )
    return (
      <div>
        <div className="toolbar-row">
          {pick('X', x, (v) => update({ scatter: { x: v, y } }))}
          {pick('Y', y, (v) => update({ scatter: { x, y: v } }))}
        </div>
        {note}
        {x && y && (
          <Scatter
            rows={plotRows.rows}
            x={x}
            y={y}
            selected={new Set(view.selected)}
            onOpen={(id) => navigate(`/runs/${id}`)}
          />
        )}
      </div>
    )
  }

  const cols =
    view.parallel.length >= 2
      ? view.parallel
      : [
          ...numeric.filter((c) => c.startsWith('params.')).slice(0, 5),
          ...numeric.filter((c) => c.startsWith('metrics.')).slice(0, 1),
        ]
  return (
    <div>
      <fieldset className="axis-picker">
        <legend>Axes (the last one colors the lines)</legend>
        {numeric.slice(0, 60).map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={cols.includes(c)}
              onChange={(e) =>
                update({ parallel: e.target.checked ? [...cols, c] : cols.filter((x) => x !== c) })
              }
            />{' '}
            {c}
          </label>
        ))}
      </fieldset>
      {note}
      {cols.length >= 2 ? (
        <ParallelCoordinates rows={plotRows.rows} columns={cols} />
      ) : (
        <p className="muted">Choose at least two axes.</p>
      )}
    </div>
  )
}

/** Compare runs: params side by side with differences marked, metrics with the best value marked, overlaid charts, artifacts, CSV export. */
import { useEffect, useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireFileInfo, WireRun } from '../../../../src/protocol/wire.js'
import { call, errorMessage } from '../api/client.js'
import { MetricChart } from '../charts/metric-chart.js'
import { colorFor } from '../charts/scale.js'
import { Link, useTitle } from '../router.js'
import { compareCsv, defaultGoal, metricRows, paramRows } from '../state/compare.js'
import { download, formatBytes, formatNumber } from '../state/format.js'
import { ChartControls } from './runs-charts.js'

export function ComparePage({ runIds }: { runIds: string[] }): React.JSX.Element {
  useTitle(`Compare ${runIds.length} runs`)
  const [runs, setRuns] = useState<WireRun[] | null>(null)
  const [artifacts, setArtifacts] = useState<WireFileInfo[][]>([])
  const [error, setError] = useState<string | null>(null)
  const [onlyDiff, setOnlyDiff] = useState(false)
  const [goals, setGoals] = useState<Record<string, 'min' | 'max'>>({})
  const [x, setX] = useState<'step' | 'time'>('step')
  const [smoothing, setSmoothing] = useState(0)
  const key = runIds.join(',')

  useEffect(() => {
    let live = true
    Promise.all(runIds.map((id) => call(TRACKING_API.getRun, { run_id: id }).then((a) => a.run))).then(
      (list) => {
        if (!live) return
        setRuns(list)
        void Promise.all(
          list.map((r) =>
            call(TRACKING_API.listArtifacts, { run_id: r.info.run_id }).then(
              (a) => a.files ?? [],
              () => [],
            ),
          ),
        ).then((files) => live && setArtifacts(files))
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [key])

  if (error)
    return (
      <main className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </main>
    )
  if (runIds.length < 2)
    return (
      <main className="page">
        <p>Select two or more runs in a runs table to compare them.</p>
      </main>
    )
  if (!runs) return <main className="page muted">Loading {runIds.length} runs…</main>

  const params = paramRows(runs).filter((p) => !onlyDiff || p.differs)
  const metrics = metricRows(runs, goals)
  const chartRuns = runs.map((r, i) => ({
    id: r.info.run_id,
    label: r.info.run_name || r.info.run_id.slice(0, 8),
    color: colorFor(i),
  }))
  const header = (
    <thead>
      <tr>
        <th scope="col">Key</th>
        {chartRuns.map((r) => (
          <th scope="col" key={r.id}>
            <span className="swatch" style={{ background: r.color }} />{' '}
            <Link to={`/runs/${r.id}`}>{r.label}</Link>
          </th>
        ))}
      </tr>
    </thead>
  )

  return (
    <main className="page" aria-labelledby="compare-title">
      <div className="page-head">
        <h1 id="compare-title">Compare {runs.length} runs</h1>
        <button
          type="button"
          onClick={() => download(`cairn-compare-${runs.length}-runs.csv`, compareCsv(runs))}
          data-testid="export-csv"
        >
          Export CSV
        </button>
      </div>
      <section aria-labelledby="cmp-params">
        <div className="toolbar-row">
          <h2 id="cmp-params">Parameters</h2>
          <label className="check">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only
            differences
          </label>
          <span className="muted">Highlighted rows differ between runs.</span>
        </div>
        <div className="table-scroll">
          <table className="table" aria-label="Parameters compared">
            {header}
            <tbody>
              {params.map((p) => (
                <tr key={p.key} data-differs={p.differs}>
                  <th scope="row">{p.key}</th>
                  {p.values.map((v, i) => (
                    <td key={i} className={p.differs ? 'diff' : undefined}>
                      {v ?? <span className="muted">—</span>}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="cmp-metrics">
        <h2 id="cmp-metrics">Metrics</h2>
        <p className="muted">The best value of each metric is bold; click the goal to flip it.</p>
        <div className="table-scroll">
          <table className="table" aria-label="Metrics compared">
            {header}
            <tbody>
              {metrics.map((m) => {
                const goal = goals[m.key] ?? defaultGoal(m.key)
                return (
                  <tr key={m.key}>
                    <th scope="row">
                      {m.key}{' '}
                      <button
                        type="button"
                        className="link"
                        onClick={() => setGoals({ ...goals, [m.key]: goal === 'min' ? 'max' : 'min' })}
                        aria-label={`${m.key}: ${goal === 'min' ? 'lower' : 'higher'} is better; switch`}
                      >
                        ({goal === 'min' ? 'lower' : 'higher'} is better)
                      </button>
                    </th>
                    {m.values.map((v, i) => (
                      <td
                        key={i}
                        className={`num${i === m.best ? ' best' : ''}`}
                        aria-label={i === m.best ? `${formatNumber(v)}, best` : undefined}
                      >
                        {formatNumber(v)}
                        {i === m.best && ' ★'}
                      </td>
                    ))}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="cmp-charts">
        <h2 id="cmp-charts">Charts</h2>
        <ChartControls
          x={x}
          smoothing={smoothing}
          onChange={(p) => {
            if (p.x) setX(p.x)
            if (p.smoothing !== undefined) setSmoothing(p.smoothing)
          }}
        />
        <div className="chart-grid">
          {metrics.slice(0, 20).map((m) => (
            <MetricChart key={m.key} metricKey={m.key} runs={chartRuns} x={x} smoothing={smoothing} />
          ))}
        </div>
      </section>
      <section aria-labelledby="cmp-artifacts">
        <h2 id="cmp-artifacts">Artifacts</h2>
        <div className="cards">
          {runs.map((r, i) => (
            <div className="card" key={r.info.run_id}>
              <strong>{chartRuns[i]!.label}</strong>
              <ul>
                {(artifacts[i] ?? []).map((f) => (
                  <li key={f.path}>
                    {f.is_dir ? `${f.path}/` : f.path}{' '}
                    <span className="muted">{formatBytes(f.file_size)}</span>
                  </li>
                ))}
                {artifacts[i]?.length === 0 && <li className="muted">none</li>}
              </ul>
            </div>
          ))}
        </div>
      </section>
    </main>
  )
}

/** One run: overview, params, metrics with charts, editable tags, artifacts, dataset inputs, parent and children. */
import { useEffect, useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireRun } from '../../../../src/protocol/wire.js'
import { call, errorMessage } from '../api/client.js'
import { ArtifactBrowser } from '../components/artifact-browser.js'
import { MetricChart } from '../charts/metric-chart.js'
import { colorFor } from '../charts/scale.js'
import { Link, useTitle } from '../router.js'
import { formatDuration, formatNumber, formatTime } from '../state/format.js'
import { ChartControls } from './runs-charts.js'
import { TagEditor } from '../components/tag-editor.js'

const PARENT = 'mlflow.parentRunId'

export function RunPage({ runId }: { runId: string }): React.JSX.Element {
  const [run, setRun] = useState<WireRun | null>(null)
  const [experiment, setExperiment] = useState<string>('')
  const [children, setChildren] = useState<WireRun[]>([])
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const [x, setX] = useState<'step' | 'time'>('step')
  const [smoothing, setSmoothing] = useState(0)
  useTitle(run?.info.run_name || runId)

  useEffect(() => {
    let live = true
    call(TRACKING_API.getRun, { run_id: runId }).then(
      async (a) => {
        if (!live) return
        setRun(a.run)
        const exp = await call(TRACKING_API.getExperiment, { experiment_id: a.run.info.experiment_id })
        if (live) setExperiment(exp.experiment.name)
        const kids = await call(TRACKING_API.searchRuns, {
          experiment_ids: [a.run.info.experiment_id],
          filter: `tags.\`${PARENT}\` = '${runId}'`,
          max_results: 1000,
        })
        if (live) setChildren(kids.runs ?? [])
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [runId, version])

  if (error)
    return (
      <main className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </main>
    )
  if (!run) return <main className="page muted">Loading run…</main>
  const info = run.info
  const tags = run.data.tags ?? []
  const parent = tags.find((t) => t.key === PARENT)?.value
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key))
  const params = [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key))
  const datasets = run.inputs?.dataset_inputs ?? []
  const chartRun = [{ id: runId, label: info.run_name || runId.slice(0, 8), color: colorFor(0) }]

  return (
    <main className="page" aria-labelledby="run-title">
      <div className="page-head">
        <h1 id="run-title">
          <Link to={`/runs?e=${info.experiment_id}`}>{experiment || `Experiment ${info.experiment_id}`}</Link>{' '}
          / {info.run_name || runId}
        </h1>
        <span className={`status status-${info.status.toLowerCase()}`}>{info.status}</span>
        {info.lifecycle_stage === 'deleted' && <span className="badge">deleted</span>}
      </div>
      <section aria-label="Overview">
        <dl className="cards">
          <div className="card">
            <dt>Run ID</dt>
            <dd className="mono">{runId}</dd>
          </div>
          <div className="card">
            <dt>Started</dt>
            <dd>{formatTime(Number(info.start_time))}</dd>
          </div>
          <div className="card">
            <dt>Duration</dt>
            <dd>
              {info.end_time ? formatDuration(Number(info.end_time) - Number(info.start_time)) : 'running'}
            </dd>
          </div>
          <div className="card">
            <dt>User</dt>
            <dd>{info.user_id || '—'}</dd>
          </div>
          <div className="card">
            <dt>Source</dt>
            <dd>{tags.find((t) => t.key === 'mlflow.source.name')?.value ?? '—'}</dd>
          </div>
          <div className="card">
            <dt>Artifact URI</dt>
            <dd className="mono">{info.artifact_uri}</dd>
          </div>
          {parent && (
            <div className="card">
              <dt>Parent run</dt>
              <dd>
                <Link to={`/runs/${parent}`}>{parent.slice(0, 12)}…</Link>
              </dd>
            </div>
          )}
        </dl>
      </section>
      {children.length > 0 && (
        <section aria-labelledby="children-title">
          <h2 id="children-title">Child runs ({children.length})</h2>
          <ul>
            {children.map((c) => (
              <li key={c.info.run_id}>
                <Link to={`/runs/${c.info.run_id}`}>{c.info.run_name || c.info.run_id}</Link>{' '}
                <span className="muted">{c.info.status}</span>
              </li>
            ))}
          </ul>
          <Link to={`/compare?runs=${children.map((c) => c.info.run_id).join(',')}`}>
            Compare the child runs
          </Link>
        </section>
      )}
      <div className="split">
        <section aria-labelledby="params-title">
          <h2 id="params-title">Parameters ({params.length})</h2>
          <table className="table" aria-label="Parameters">
            <tbody>
              {params.map((p) => (
                <tr key={p.key}>
                  <th scope="row">{p.key}</th>
                  <td className="mono">{p.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="metrics-title">
          <h2 id="metrics-title">Metrics ({metrics.length})</h2>
          <table className="table" aria-label="Metrics">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col" className="num">
                  Latest
                </th>
                <th scope="col" className="num">
                  Step
                </th>
                <th scope="col">Logged</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.key}>
                  <th scope="row">{m.key}</th>
                  <td className="num">
                    {formatNumber(typeof m.value === 'number' ? m.value : Number(m.value))}
                  </td>
                  <td className="num">{m.step}</td>
                  <td>{formatTime(Number(m.timestamp))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {metrics.length > 0 && (
        <section aria-labelledby="charts-title">
          <h2 id="charts-title">Metric charts</h2>
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
              <MetricChart key={m.key} metricKey={m.key} runs={chartRun} x={x} smoothing={smoothing} />
            ))}
          </div>
        </section>
      )}
      <section aria-labelledby="tags-title">
        <h2 id="tags-title">Tags</h2>
        <TagEditor
          runId={runId}
          tags={tags.filter((t) => !t.key.startsWith('mlflow.'))}
          onChanged={() => setVersion((v) => v + 1)}
        />
      </section>
      {datasets.length > 0 && (
        <section aria-labelledby="datasets-title">
          <h2 id="datasets-title">Dataset inputs</h2>
          <table className="table" aria-label="Dataset inputs">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Digest</th>
                <th scope="col">Context</th>
                <th scope="col">Source</th>
                <th scope="col">Source type</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d, i) => (
                <tr key={i}>
                  <td>{d.dataset.name}</td>
                  <td className="mono">{d.dataset.digest}</td>
                  <td>{d.tags?.find((t) => t.key === 'mlflow.data.context')?.value ?? ''}</td>
                  <td className="mono">{d.dataset.source}</td>
                  <td>{d.dataset.source_type}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section aria-labelledby="artifacts-title">
        <h2 id="artifacts-title">Artifacts</h2>
        <ArtifactBrowser runId={runId} />
      </section>
    </main>
  )
}

/**
 * Monitoring: the monitors with their last run (pause, resume, run now), and one monitor's latest
 * report (dataset drift, per-column reference vs current histograms with score and threshold,
 * quality, validation) with its drift share across runs. Monitor runs are tracking runs, so the
 * runs table and its charts work on them too; the page links there.
 */
import { useEffect, useState } from 'react'
import { MONITORS_API, type WireMonitor } from '../../../../src/protocol/monitors-api.js'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireRun } from '../../../../src/protocol/wire.js'
import type { MonitorReport } from '../../../../src/monitoring/report/report-types.js'
import { artifactUrl, call, errorMessage } from '../api/client.js'
import { DriftHistogram, Sparkline } from '../components/drift-histogram.js'
import { Link, useTitle, withQuery } from '../router.js'
import { formatAgo, formatNumber, formatTime } from '../state/format.js'
import {
  driftHeadline,
  metricSeries,
  monitorRow,
  monitorRunsFilter,
  orderColumns,
  scoreText,
  verdictText,
  type MonitorRow,
} from '../state/monitoring.js'

function StatusBadge({ status }: { status: string }): React.JSX.Element {
  return (
    <span className={`mon-status mon-${status || 'none'}`}>
      {status ? status.replace('_', ' ') : 'never run'}
    </span>
  )
}

export function MonitoringPage(): React.JSX.Element {
  useTitle('Monitoring')
  const [rows, setRows] = useState<MonitorRow[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let live = true
    call(MONITORS_API.listMonitors, {}).then(
      (a) => live && (setRows((a.monitors ?? []).map(monitorRow)), setError(null)),
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [version])
  const act = async (f: () => Promise<string | void>): Promise<void> => {
    try {
      const message = await f()
      setNotice(message ?? null)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <main className="page" aria-labelledby="monitoring-title">
      <div className="page-head">
        <h1 id="monitoring-title">Monitoring</h1>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <table className="table" aria-label="Monitors">
        <thead>
          <tr>
            <th scope="col">Monitor</th>
            <th scope="col">Model</th>
            <th scope="col">Window</th>
            <th scope="col">Schedule</th>
            <th scope="col">Last run</th>
            <th scope="col" className="num">
              Drift share
            </th>
            <th scope="col" className="num">
              Validation failures
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows?.map((r) => (
            <tr key={r.name}>
              <td>
                <Link to={`/monitoring/${encodeURIComponent(r.name)}`}>{r.name}</Link>
                {r.state === 'paused' && <span className="muted"> (paused)</span>}
              </td>
              <td className="mono">{r.model}</td>
              <td>{r.window}</td>
              <td className="mono">{r.schedule || <span className="muted">on demand</span>}</td>
              <td>
                <StatusBadge status={r.status} />{' '}
                {r.lastRunTime !== null && (
                  <span className="muted" title={formatTime(r.lastRunTime)}>
                    {formatAgo(r.lastRunTime)}
                  </span>
                )}
              </td>
              <td className="num">{r.driftShare === null ? '' : formatNumber(r.driftShare)}</td>
              <td className="num">
                {r.validationFailures === null ? '' : formatNumber(r.validationFailures)}
              </td>
              <td className="actions">
                <button
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      const { run } = await call(MONITORS_API.runMonitor, { name: r.name })
                      return `${r.name}: ${run.status}${run.message ? ` (${run.message})` : ''}`
                    })
                  }
                >
                  Run now
                </button>
                {r.state === 'paused' ? (
                  <button
                    type="button"
                    onClick={() =>
                      void act(async () => void (await call(MONITORS_API.resumeMonitor, { name: r.name })))
                    }
                  >
                    Resume
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() =>
                      void act(async () => void (await call(MONITORS_API.pauseMonitor, { name: r.name })))
                    }
                  >
                    Pause
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows?.length === 0 && (
        <p className="muted">
          No monitors yet: <code>cairn monitor add monitor.yaml</code> (see docs/monitoring.md).
        </p>
      )}
    </main>
  )
}

/** Fetches the monitor, its latest report and its past runs. */
function useMonitor(name: string, version: number) {
  const [monitor, setMonitor] = useState<WireMonitor | null>(null)
  const [report, setReport] = useState<MonitorReport | null>(null)
  const [runs, setRuns] = useState<WireRun[]>([])
  const [experimentId, setExperimentId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    void (async () => {
      try {
        const { monitor } = await call(MONITORS_API.getMonitor, { name })
        if (!live) return
        setMonitor(monitor)
        const runId = monitor.last_run?.run_id
        if (!runId) return
        const { run } = await call(TRACKING_API.getRun, { run_id: runId })
        const exp = run.info.experiment_id
        const [res, past] = await Promise.all([
          fetch(artifactUrl(runId, 'report/report.json')),
          call(TRACKING_API.searchRuns, {
            experiment_ids: [exp],
            filter: monitorRunsFilter(name),
            max_results: 200,
            order_by: ['attributes.start_time DESC'],
          }),
        ])
        if (!live) return
        setExperimentId(exp)
        setRuns(past.runs ?? [])
        if (res.ok) setReport((await res.json()) as MonitorReport)
        else setError(`The last run's report could not be read (HTTP ${res.status}).`)
      } catch (err) {
        if (live) setError(errorMessage(err))
      }
    })()
    return () => {
      live = false
    }
  }, [name, version])
  return { monitor, report, runs, experimentId, error }
}

export function MonitorPage({ name }: { name: string }): React.JSX.Element {
  useTitle(`Monitor ${name}`)
  const [version, setVersion] = useState(0)
  const [running, setRunning] = useState(false)
  const [runError, setRunError] = useState<string | null>(null)
  const { monitor, report, runs, experimentId, error } = useMonitor(name, version)
  const runNow = async (): Promise<void> => {
    setRunning(true)
    try {
      await call(MONITORS_API.runMonitor, { name })
      setRunError(null)
      setVersion((v) => v + 1)
    } catch (err) {
      setRunError(errorMessage(err))
    } finally {
      setRunning(false)
    }
  }
  const row = monitor ? monitorRow(monitor) : null
  const driftShares = metricSeries(runs, 'drift.share')
  const lastRunId = row?.lastRunId ?? null
  return (
    <main className="page" aria-labelledby="monitor-title">
      <div className="page-head">
        <h1 id="monitor-title">
          <Link to="/monitoring">Monitoring</Link> / {name}
        </h1>
        <div className="toolbar">
          <button type="button" onClick={() => void runNow()} disabled={running}>
            {running ? 'Running…' : 'Run now'}
          </button>
          {lastRunId && (
            <a href={artifactUrl(lastRunId, 'report/report.html')} target="_blank" rel="noreferrer">
              HTML report
            </a>
          )}
          {experimentId && (
            <Link
              to={withQuery('/runs', new URLSearchParams({ e: experimentId, q: monitorRunsFilter(name) }))}
            >
              All runs of this monitor
            </Link>
          )}
        </div>
      </div>
      {(error ?? runError) && (
        <p className="error" role="alert">
          {runError ?? error}
        </p>
      )}
      {row && (
        <dl className="facts" aria-label="Monitor">
          <dt>Model</dt>
          <dd className="mono">{row.model}</dd>
          <dt>Window</dt>
          <dd>{row.window || '—'}</dd>
          <dt>Schedule</dt>
          <dd className="mono">{row.schedule || 'on demand'}</dd>
          <dt>Last run</dt>
          <dd>
            <StatusBadge status={row.status} />{' '}
            {lastRunId && <Link to={`/runs/${lastRunId}`}>{formatTime(row.lastRunTime)}</Link>}
          </dd>
        </dl>
      )}
      {monitor && !lastRunId && <p className="muted">This monitor has not run yet.</p>}
      {runs.length > 0 && (
        <section aria-labelledby="history-title">
          <h2 id="history-title">Drift share across runs</h2>
          <Sparkline
            points={driftShares}
            label={`Drift share of the last ${driftShares.length} runs`}
            threshold={report?.drift?.driftShare}
          />
        </section>
      )}
      {report && <ReportView report={report} />}
    </main>
  )
}

export function ReportView({ report }: { report: MonitorReport }): React.JSX.Element {
  return (
    <>
      <section aria-labelledby="checks-title">
        <h2 id="checks-title">
          Latest report <StatusBadge status={report.status} />
        </h2>
        <p className="muted">
          {report.window
            ? `Window ${formatTime(Date.parse(report.window.start))} – ${formatTime(Date.parse(report.window.end))}. `
            : ''}
          Current: {report.current.rows.toLocaleString()} rows ({report.current.source}); reference:{' '}
          {report.reference.rows.toLocaleString()} rows ({report.reference.source}).
        </p>
        <ul className="checks">
          {report.checks.map((c, i) => (
            <li key={i}>
              <StatusBadge status={c.status} /> <strong>{c.check}</strong>: {c.message}
            </li>
          ))}
        </ul>
        {report.notes.map((n, i) => (
          <p key={i} className="muted">
            {n}
          </p>
        ))}
      </section>
      {report.drift && (
        <section aria-labelledby="drift-title">
          <h2 id="drift-title">{driftHeadline(report)}</h2>
          <div className="legend">
            <span className="swatch ref" /> reference <span className="swatch cur" /> current
          </div>
          <table className="table" aria-label="Column drift">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Type</th>
                <th scope="col">Method</th>
                <th scope="col">Score</th>
                <th scope="col">Verdict</th>
                <th scope="col">Distributions</th>
              </tr>
            </thead>
            <tbody>
              {orderColumns(report.drift.columns).map((c) => (
                <tr key={c.column} className={c.drifted ? 'drifted' : undefined}>
                  <td>{c.column}</td>
                  <td>{c.type}</td>
                  <td>{c.method}</td>
                  <td className="mono">{scoreText(c)}</td>
                  <td>
                    <span
                      className={`mon-status mon-${c.drifted === true ? 'failed' : c.drifted === false ? 'passed' : 'skipped'}`}
                    >
                      {verdictText(c)}
                    </span>
                    {c.explanation && <div className="muted small">{c.explanation}</div>}
                  </td>
                  <td>{c.histogram && <DriftHistogram histogram={c.histogram} column={c.column} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {report.quality && (
        <section aria-labelledby="quality-title">
          <h2 id="quality-title">
            Quality ({report.quality.task}, {report.quality.labelled.toLocaleString()} of{' '}
            {report.quality.predictions.toLocaleString()} predictions labelled)
          </h2>
          <table className="table" aria-label="Quality">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col">Bounds</th>
                <th scope="col">Verdict</th>
              </tr>
            </thead>
            <tbody>
              {report.quality.metrics.map((m) => (
                <tr key={m.metric}>
                  <td>{m.metric}</td>
                  <td className="num">{m.value === null ? '—' : formatNumber(m.value)}</td>
                  <td>
                    {m.min !== undefined ? `≥ ${m.min}` : ''} {m.max !== undefined ? `≤ ${m.max}` : ''}
                  </td>
                  <td>
                    {m.passed === null ? (m.explanation ?? 'not judged') : m.passed ? 'passed' : 'failed'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {report.validation && (
        <section aria-labelledby="validation-title">
          <h2 id="validation-title">
            Validation: {report.validation.failures} failed of {report.validation.results.length}
          </h2>
          <table className="table" aria-label="Validation">
            <thead>
              <tr>
                <th scope="col">Expectation</th>
                <th scope="col">Column</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {report.validation.results.map((v, i) => (
                <tr key={i}>
                  <td>{v.expectation}</td>
                  <td>{v.column ?? ''}</td>
                  <td>
                    <span className={`mon-status mon-${v.passed ? 'passed' : 'failed'}`}>
                      {v.passed ? 'passed' : 'failed'}
                    </span>{' '}
                    {v.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  )
}

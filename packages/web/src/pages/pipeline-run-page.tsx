/**
 * One pipeline run: its DAG with live step status and cache hits, the steps table, a step's
 * logs (followed while it runs), and cancel. Resuming needs an orchestrator with the pipeline's
 * code, so the page gives the command rather than a button.
 */
import { useEffect, useRef, useState } from 'react'
import { PIPELINES_API } from '../../../../src/protocol/pipelines-api.js'
import type { WirePipelineRun, WireStep } from '../../../../src/protocol/pipeline-wire.js'
import { call, errorMessage } from '../api/client.js'
import { PipelineDag } from '../components/pipeline-dag.js'
import { Link, useTitle } from '../router.js'
import { buildDag } from '../state/dag.js'
import { formatDuration, formatTime } from '../state/format.js'

const POLL_MS = 1500

function StepLogs(props: { runId: string; stepKey: string; live: boolean }): React.JSX.Element {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const offset = useRef(0)
  const pre = useRef<HTMLPreElement>(null)
  useEffect(() => {
    setText('')
    offset.current = 0
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const pull = async (): Promise<void> => {
      try {
        for (;;) {
          const a = await call(PIPELINES_API.getLogs, {
            run_id: props.runId,
            step_key: props.stepKey,
            offset: offset.current,
            max_bytes: 256 * 1024,
          })
          if (!live) return
          if (a.text) setText((t) => t + a.text)
          const grew = a.next_offset > offset.current
          offset.current = a.next_offset
          if (!grew) {
            if (a.step_status === 'running' || a.step_status === 'pending')
              timer = setTimeout(() => void pull(), POLL_MS)
            return
          }
        }
      } catch (err) {
        if (live) setError(errorMessage(err))
      }
    }
    void pull()
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [props.runId, props.stepKey])
  useEffect(() => {
    const el = pre.current
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight
  }, [text])
  return (
    <section className="preview" aria-label={`Logs of ${props.stepKey}`} data-testid="step-logs">
      <div className="toolbar-row">
        <strong>Logs: {props.stepKey}</strong>
        {props.live && <span className="muted">following…</span>}
      </div>
      {error && <p className="error">{error}</p>}
      <pre ref={pre} className="logs">
        {text || '(no output)'}
      </pre>
    </section>
  )
}

export function PipelineRunPage({ runId }: { runId: string }): React.JSX.Element {
  const [run, setRun] = useState<WirePipelineRun | null>(null)
  const [steps, setSteps] = useState<WireStep[]>([])
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  useTitle(run ? `${run.pipeline} run` : 'Pipeline run')

  useEffect(() => {
    let live = true
    call(PIPELINES_API.getPipelineRun, { run_id: runId }).then(
      (a) => {
        if (!live) return
        setRun(a.pipeline_run)
        setSteps([...(a.steps ?? [])].sort((x, y) => x.position - y.position))
        setError(null)
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [runId, tick])
  const running = run?.status === 'running'
  useEffect(() => {
    if (!running) return
    const t = setInterval(() => setTick((x) => x + 1), POLL_MS)
    return () => clearInterval(t)
  }, [running])

  if (error && !run)
    return (
      <main className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </main>
    )
  if (!run) return <main className="page muted">Loading pipeline run…</main>
  const nodes = buildDag(run.spec, steps)
  const shown = selected ? steps.filter((s) => s.step === selected) : steps
  const logKey = shown.length === 1 ? shown[0]!.step_key : selected && shown[0] ? shown[0].step_key : null
  const [chosenKey, setChosenKey] = [
    logKey,
    (k: string) => setSelected(steps.find((s) => s.step_key === k)?.step ?? null),
  ]

  return (
    <main className="page" aria-labelledby="pl-run-title">
      <div className="page-head">
        <h1 id="pl-run-title">
          <Link to="/pipelines">Pipelines</Link> / {run.pipeline}
        </h1>
        <span className={`pl-status status-${run.status}`} data-testid="pipeline-status">
          {run.status}
          {run.cancel_requested && run.status === 'running' ? ' (cancelling)' : ''}
        </span>
        <span className="spacer" />
        {running && (
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (!confirm('Cancel this pipeline run? Running steps are stopped.')) return
              call(PIPELINES_API.cancelPipelineRun, { run_id: runId }).then(
                () => setTick((x) => x + 1),
                (err: unknown) => setError(errorMessage(err)),
              )
            }}
          >
            Cancel run
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <dl className="cards">
        <div className="card">
          <dt>Run</dt>
          <dd>
            <Link to={`/runs/${run.run_id}`} className="mono">
              {run.run_id}
            </Link>
          </dd>
        </div>
        <div className="card">
          <dt>Started</dt>
          <dd>{formatTime(run.start_time)}</dd>
        </div>
        <div className="card">
          <dt>Duration</dt>
          <dd>{formatDuration((run.end_time ?? Date.now()) - run.start_time)}</dd>
        </div>
        <div className="card">
          <dt>Executor</dt>
          <dd>
            {run.backend} · {run.use_cache ? 'cache on' : 'cache off'}
          </dd>
        </div>
        {run.schedule_name && (
          <div className="card">
            <dt>Schedule</dt>
            <dd>{run.schedule_name}</dd>
          </div>
        )}
        {run.resumed_from && (
          <div className="card">
            <dt>Resumed from</dt>
            <dd>
              <Link to={`/pipelines/runs/${run.resumed_from}`}>{run.resumed_from.slice(0, 12)}</Link>
            </dd>
          </div>
        )}
        {!running && run.status !== 'succeeded' && (
          <div className="card">
            <dt>Resume (reuses succeeded steps)</dt>
            <dd className="mono">cairn pipeline resume {run.run_id}</dd>
          </div>
        )}
      </dl>
      {run.message && <p className={run.status === 'failed' ? 'error' : 'muted'}>{run.message}</p>}
      <h2>Steps</h2>
      <PipelineDag
        nodes={nodes}
        selected={selected}
        onSelect={(s) => setSelected(selected === s ? null : s)}
      />
      <table className="table" aria-label="Step runs">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Cache</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">
              Exit
            </th>
            <th scope="col">Tracking run</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((s) => (
            <tr key={s.step_key} aria-selected={chosenKey === s.step_key}>
              <td>
                <button type="button" className="link" onClick={() => setChosenKey(s.step_key)}>
                  {s.step_key}
                </button>
              </td>
              <td>
                <span className={`pl-status status-${s.status}`}>{s.status}</span>
                {s.message && <span className="muted"> {s.message}</span>}
              </td>
              <td className="num">{s.attempts}</td>
              <td>
                {s.cache_hit ? (
                  <span className="badge" title={s.cache_key}>
                    hit{s.cached_from ? ` from ${s.cached_from.slice(0, 8)}` : ''}
                  </span>
                ) : (
                  ''
                )}
              </td>
              <td>{s.start_time ? formatDuration((s.end_time ?? Date.now()) - s.start_time) : ''}</td>
              <td className="num">{s.exit_code ?? ''}</td>
              <td>{s.run_id ? <Link to={`/runs/${s.run_id}`}>{s.run_id.slice(0, 8)}</Link> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosenKey ? (
        <StepLogs
          runId={runId}
          stepKey={chosenKey}
          live={steps.find((s) => s.step_key === chosenKey)?.status === 'running'}
        />
      ) : (
        <p className="muted">Choose a step to see its logs.</p>
      )}
    </main>
  )
}

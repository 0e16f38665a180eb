/** Pipeline runs (newest first, filter by pipeline and status) and schedules (pause, resume, trigger, delete). */
import { useEffect, useState } from 'react'
import { PIPELINES_API } from '../../../../src/protocol/pipelines-api.js'
import type { WirePipelineRun, WireSchedule } from '../../../../src/protocol/pipeline-wire.js'
import { call, errorMessage } from '../api/client.js'
import { Link, navigate, useLocation, useTitle, withQuery } from '../router.js'
import { formatAgo, formatDuration, formatTime } from '../state/format.js'

const STATUSES = ['', 'running', 'succeeded', 'failed', 'cancelled']

export function PipelinesPage(): React.JSX.Element {
  const { query } = useLocation()
  const tab = query.get('tab') === 'schedules' ? 'schedules' : 'runs'
  useTitle(tab === 'runs' ? 'Pipeline runs' : 'Schedules')
  const set = (k: string, v: string): void => {
    const q = new URLSearchParams(query)
    if (v) q.set(k, v)
    else q.delete(k)
    navigate(withQuery('/pipelines', q), { replace: true })
  }
  return (
    <main className="page" aria-labelledby="pipelines-title">
      <div className="page-head">
        <h1 id="pipelines-title">Pipelines</h1>
      </div>
      <div role="tablist" aria-label="Pipelines views" className="tabs">
        {(['runs', 'schedules'] as const).map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => set('tab', t === 'runs' ? '' : t)}
          >
            {t === 'runs' ? 'Runs' : 'Schedules'}
          </button>
        ))}
      </div>
      <section role="tabpanel" aria-label={tab === 'runs' ? 'Runs' : 'Schedules'}>
        {tab === 'runs' ? (
          <RunsList pipeline={query.get('pipeline') ?? ''} status={query.get('status') ?? ''} set={set} />
        ) : (
          <SchedulesList />
        )}
      </section>
    </main>
  )
}

function RunsList(props: {
  pipeline: string
  status: string
  set: (k: string, v: string) => void
}): React.JSX.Element {
  const [runs, setRuns] = useState<WirePipelineRun[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const [name, setName] = useState(props.pipeline)
  useEffect(() => {
    let live = true
    call(PIPELINES_API.searchPipelineRuns, {
      pipeline: props.pipeline,
      status: props.status,
      max_results: 200,
    }).then(
      (a) => {
        if (!live) return
        setRuns(a.pipeline_runs ?? [])
        setError(null)
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [props.pipeline, props.status, tick])
  // Live: refresh while anything runs.
  const running = runs?.some((r) => r.status === 'running') ?? false
  useEffect(() => {
    if (!running) return
    const t = setInterval(() => setTick((x) => x + 1), 3000)
    return () => clearInterval(t)
  }, [running])
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          props.set('pipeline', name.trim())
        }}
      >
        <label htmlFor="pl-name">Pipeline</label>
        <input id="pl-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="any" />
        <label htmlFor="pl-status">Status</label>
        <select id="pl-status" value={props.status} onChange={(e) => props.set('status', e.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'any'}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" aria-label="Pipeline runs">
        <thead>
          <tr>
            <th scope="col">Pipeline</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Schedule</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {runs?.map((r) => (
            <tr key={r.run_id}>
              <td>
                <Link to={`/pipelines/runs/${r.run_id}`}>{r.pipeline}</Link>
              </td>
              <td>
                <span className={`pl-status status-${r.status}`}>{r.status}</span>
                {r.resumed_from && <span className="muted"> (resumed)</span>}
              </td>
              <td title={formatTime(r.start_time)}>{formatAgo(r.start_time)}</td>
              <td>{formatDuration((r.end_time ?? Date.now()) - r.start_time)}</td>
              <td>{r.schedule_name ?? ''}</td>
              <td className="mono">{r.run_id.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs?.length === 0 && (
        <p className="muted">
          No pipeline runs{props.pipeline || props.status ? ' match' : ' yet: cairn pipeline run FILE'}.
        </p>
      )}
    </>
  )
}

function SchedulesList(): React.JSX.Element {
  const [schedules, setSchedules] = useState<WireSchedule[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let live = true
    call(PIPELINES_API.listSchedules, {}).then(
      (a) => live && (setSchedules(a.schedules ?? []), setError(null)),
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [version])
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      await f()
      setVersion((v) => v + 1)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" aria-label="Schedules">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Pipeline</th>
            <th scope="col">Cron</th>
            <th scope="col">State</th>
            <th scope="col">Next run</th>
            <th scope="col">Last run</th>
            <th scope="col" className="num">
              Fired
            </th>
            <th scope="col" className="num">
              Skipped
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {schedules?.map((s) => (
            <tr key={s.name}>
              <td>
                <Link
                  to={`/pipelines?pipeline=${encodeURIComponent(s.pipeline)}`}
                  title="This pipeline's runs"
                >
                  {s.name}
                </Link>
              </td>
              <td>{s.pipeline}</td>
              <td className="mono">
                {s.cron} <span className="muted">{s.timezone}</span>
              </td>
              <td>{s.paused ? <span className="badge">paused</span> : 'active'}</td>
              <td>{s.next_fire_time ? formatTime(s.next_fire_time) : '—'}</td>
              <td>{s.last_fire_time ? formatAgo(s.last_fire_time) : '—'}</td>
              <td className="num">{s.fired_count}</td>
              <td className="num">{s.skipped_count}</td>
              <td className="actions">
                {s.paused ? (
                  <button
                    type="button"
                    onClick={() => void act(() => call(PIPELINES_API.resumeSchedule, { name: s.name }))}
                    aria-label={`Resume schedule ${s.name}`}
                  >
                    Resume
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() => void act(() => call(PIPELINES_API.pauseSchedule, { name: s.name }))}
                    aria-label={`Pause schedule ${s.name}`}
                  >
                    Pause
                  </button>
                )}
                <button
                  type="button"
                  aria-label={`Run schedule ${s.name} now`}
                  onClick={() =>
                    void act(async () =>
                      navigate(
                        `/pipelines/runs/${(await call(PIPELINES_API.triggerSchedule, { name: s.name })).run_id}`,
                      ),
                    )
                  }
                >
                  Run now
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete schedule ${s.name}`}
                  onClick={() =>
                    confirm(`Delete schedule '${s.name}'? Its past runs stay.`) &&
                    void act(() => call(PIPELINES_API.deleteSchedule, { name: s.name }))
                  }
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {schedules?.length === 0 && <p className="muted">No schedules: cairn schedule add FILE --cron EXPR.</p>}
    </>
  )
}

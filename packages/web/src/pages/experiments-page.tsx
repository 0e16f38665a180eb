/** Experiments: search by name, run counts and last activity; create, rename, delete, restore; open one or several. */
import { useEffect, useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireExperiment } from '../../../../src/protocol/wire.js'
import { call, errorMessage } from '../api/client.js'
import { experimentActivity, type Activity } from '../api/experiment-activity.js'
import { Link, navigate, useTitle } from '../router.js'
import { formatAgo, formatTime } from '../state/format.js'

export function ExperimentsPage(): React.JSX.Element {
  useTitle('Experiments')
  const [search, setSearch] = useState('')
  const [deleted, setDeleted] = useState(false)
  const [experiments, setExperiments] = useState<WireExperiment[] | null>(null)
  const [activity, setActivity] = useState<Map<string, Activity>>(new Map())
  const [error, setError] = useState<string | null>(null)
  const [chosen, setChosen] = useState<Set<string>>(new Set())
  const [newName, setNewName] = useState('')
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let live = true
    const escaped = search.replaceAll("'", "''")
    call(TRACKING_API.searchExperiments, {
      filter: search ? `name ILIKE '%${escaped}%'` : '',
      max_results: 1000,
      view_type: deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
      order_by: ['last_update_time DESC'],
    }).then(
      (a) => {
        if (!live) return
        const list = a.experiments ?? []
        setExperiments(list)
        setError(null)
        void experimentActivity(list.map((e) => e.experiment_id)).then((m) => live && setActivity(m))
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [search, deleted, version])

  const act = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      await f()
      setError(null)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const toggle = (id: string): void => {
    const next = new Set(chosen)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setChosen(next)
  }

  return (
    <main className="page" aria-labelledby="experiments-title">
      <div className="page-head">
        <h1 id="experiments-title">Experiments</h1>
        <div className="toolbar">
          <label className="sr-only" htmlFor="exp-search">
            Search experiments
          </label>
          <input
            id="exp-search"
            type="search"
            placeholder="Search by name"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label className="check">
            <input type="checkbox" checked={deleted} onChange={(e) => setDeleted(e.target.checked)} /> Deleted
          </label>
          <button
            type="button"
            disabled={chosen.size === 0}
            onClick={() => navigate(`/runs?e=${[...chosen].join(',')}`)}
            data-testid="open-chosen"
          >
            Compare runs of {chosen.size || ''} selected
          </button>
        </div>
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (newName.trim())
            void act(() => call(TRACKING_API.createExperiment, { name: newName.trim() })).then(() =>
              setNewName(''),
            )
        }}
      >
        <label htmlFor="new-exp">New experiment</label>
        <input id="new-exp" value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="name" />
        <button type="submit">Create</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" aria-label="Experiments">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Select</span>
            </th>
            <th scope="col">Name</th>
            <th scope="col">ID</th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col">Last activity</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {experiments?.map((e) => {
            const a = activity.get(e.experiment_id)
            return (
              <tr key={e.experiment_id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${e.name}`}
                    checked={chosen.has(e.experiment_id)}
                    onChange={() => toggle(e.experiment_id)}
                  />
                </td>
                <td>
                  {renaming?.id === e.experiment_id ? (
                    <form
                      className="inline-form"
                      onSubmit={(ev) => {
                        ev.preventDefault()
                        void act(() =>
                          call(TRACKING_API.updateExperiment, {
                            experiment_id: e.experiment_id,
                            new_name: renaming.name,
                          }),
                        ).then(() => setRenaming(null))
                      }}
                    >
                      <label className="sr-only" htmlFor={`rename-${e.experiment_id}`}>
                        New name
                      </label>
                      <input
                        id={`rename-${e.experiment_id}`}
                        autoFocus
                        value={renaming.name}
                        onChange={(ev) => setRenaming({ ...renaming, name: ev.target.value })}
                      />
                      <button type="submit">Save</button>
                      <button type="button" onClick={() => setRenaming(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <Link to={`/runs?e=${e.experiment_id}`}>{e.name}</Link>
                  )}
                </td>
                <td className="muted">{e.experiment_id}</td>
                <td className="num">{a ? a.runs.toLocaleString() + (a.more ? '+' : '') : '…'}</td>
                <td title={formatTime(a?.lastRun ?? e.last_update_time)}>
                  {formatAgo(Math.max(a?.lastRun ?? 0, Number(e.last_update_time)))}
                </td>
                <td>{formatTime(Number(e.creation_time))}</td>
                <td className="actions">
                  {deleted ? (
                    <button
                      type="button"
                      onClick={() =>
                        void act(() =>
                          call(TRACKING_API.restoreExperiment, { experiment_id: e.experiment_id }),
                        )
                      }
                    >
                      Restore
                    </button>
                  ) : (
                    <>
                      <button
                        type="button"
                        onClick={() => setRenaming({ id: e.experiment_id, name: e.name })}
                        aria-label={`Rename ${e.name}`}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Delete ${e.name}`}
                        onClick={() => {
                          if (
                            confirm(
                              `Delete experiment '${e.name}'? It can be restored from the Deleted view.`,
                            )
                          )
                            void act(() =>
                              call(TRACKING_API.deleteExperiment, { experiment_id: e.experiment_id }),
                            )
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {experiments?.length === 0 && (
        <p className="muted">No experiments{search ? ` match '${search}'` : ''}.</p>
      )}
    </main>
  )
}

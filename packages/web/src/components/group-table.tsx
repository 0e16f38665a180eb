/** Runs grouped by a param or tag, with each metric's mean (and range) per group. */
import { useEffect, useState } from 'react'
import { errorMessage } from '../api/client.js'
import { fetchRuns } from '../api/fetch-runs.js'
import { columnLabel } from '../state/columns.js'
import { formatNumber } from '../state/format.js'
import { groupRuns, type Group } from '../state/groups.js'
import type { RunQuery } from '../state/run-pages.js'

const LIMIT = 20_000

export function GroupTable(props: {
  query: RunQuery
  by: string
  metrics: string[]
  onPick: (value: string | undefined) => void
}): React.JSX.Element {
  const [groups, setGroups] = useState<{ list: Group[]; runs: number; more: boolean } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const { query, by } = props
  useEffect(() => {
    const signal = { cancelled: false }
    setGroups(null)
    fetchRuns(query, LIMIT, signal).then(
      ({ rows, more }) =>
        !signal.cancelled && setGroups({ list: groupRuns(rows, by), runs: rows.length, more }),
      (err: unknown) => !signal.cancelled && setError(errorMessage(err)),
    )
    return () => {
      signal.cancelled = true
    }
  }, [query, by])
  if (error) return <p className="error">{error}</p>
  if (!groups) return <p className="muted">Grouping runs…</p>
  return (
    <div className="group-wrap">
      <p className="muted">
        {groups.list.length} groups of {groups.runs.toLocaleString()} runs by {columnLabel(by)}
        {groups.more ? ` (the first ${LIMIT.toLocaleString()} in this order; narrow the filter for all)` : ''}
        . Cells: mean (min – max).
      </p>
      <div className="table-scroll">
        <table className="table" aria-label={`Runs grouped by ${by}`}>
          <thead>
            <tr>
              <th scope="col">{columnLabel(by)}</th>
              <th scope="col" className="num">
                Runs
              </th>
              {props.metrics.map((m) => (
                <th scope="col" key={m} className="num">
                  {m}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.list.map((g) => (
              <tr key={g.value ?? '\u0000'}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => props.onPick(g.value)}>
                    {g.value ?? '(none)'}
                  </button>
                </th>
                <td className="num">{g.runs.toLocaleString()}</td>
                {props.metrics.map((m) => {
                  const a = g.metrics.get(m)
                  return (
                    <td key={m} className="num">
                      {a ? (
                        <>
                          {formatNumber(a.mean)}
                          <span className="muted">
                            {' '}
                            ({formatNumber(a.min)} – {formatNumber(a.max)})
                          </span>
                        </>
                      ) : (
                        ''
                      )}
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

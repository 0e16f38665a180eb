/** Registered models: search by name, latest versions, aliases, last update. */
import { useEffect, useState } from 'react'
import type { RegisteredModel } from '../../../../src/protocol/registry-entities.js'
import { errorMessage, registry } from '../api/client.js'
import { Link, useTitle } from '../router.js'
import { formatAgo, formatTime } from '../state/format.js'

export function ModelsPage(): React.JSX.Element {
  useTitle('Models')
  const [search, setSearch] = useState('')
  const [models, setModels] = useState<RegisteredModel[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    registry
      .searchRegisteredModels({
        filter: search ? `name ILIKE '%${search.replaceAll("'", "''")}%'` : '',
        orderBy: ['last_updated_timestamp DESC'],
        maxResults: 1000,
      })
      .then(
        (p) => live && (setModels(p.registeredModels), setError(null)),
        (err: unknown) => live && setError(errorMessage(err)),
      )
    return () => {
      live = false
    }
  }, [search])
  return (
    <main className="page" aria-labelledby="models-title">
      <div className="page-head">
        <h1 id="models-title">Models</h1>
        <label className="sr-only" htmlFor="model-search">
          Search models
        </label>
        <input
          id="model-search"
          type="search"
          placeholder="Search by name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" aria-label="Registered models">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Latest version</th>
            <th scope="col">Aliases</th>
            <th scope="col">Updated</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {models?.map((m) => (
            <tr key={m.name}>
              <td>
                <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
              </td>
              <td>{Math.max(0, ...m.latestVersions.map((v) => Number(v.version))) || '—'}</td>
              <td>
                {m.aliases.map((a) => (
                  <span key={a.alias} className="badge alias">
                    @{a.alias} → v{a.version}
                  </span>
                ))}
              </td>
              <td title={formatTime(m.lastUpdatedTimestamp)}>{formatAgo(m.lastUpdatedTimestamp)}</td>
              <td className="muted">{m.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {models?.length === 0 && (
        <p className="muted">No registered models{search ? ` match '${search}'` : ''}.</p>
      )}
    </main>
  )
}

/** One registered model: aliases (move with the policy's verdict, roll back), versions with their runs, the audit timeline. */
import { useEffect, useState } from 'react'
import type {
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
} from '../../../../src/protocol/registry-entities.js'
import { errorMessage, registry } from '../api/client.js'
import { MoveAliasDialog } from '../components/move-alias-dialog.js'
import { Link, useTitle } from '../router.js'
import { formatAgo, formatTime } from '../state/format.js'

function describe(e: RegistryEvent): string {
  const action = e.action === 'api' ? '' : ` (${e.action.replace('_', ' ')})`
  switch (e.kind) {
    case 'alias_set':
      return `@${e.alias} ${e.oldValue ? `v${e.oldValue} → ` : '→ '}v${e.newValue}${action}`
    case 'alias_deleted':
      return `@${e.alias} removed (was v${e.oldValue})${action}`
    case 'version_created':
      return `version ${e.version} registered`
    case 'version_deleted':
      return `version ${e.version} deleted`
    case 'stage_transition':
      return `version ${e.version}: ${e.oldValue} → ${e.newValue}${action}`
    case 'model_renamed':
      return `renamed ${e.oldValue} → ${e.newValue}`
    case 'policy_set':
      return `policy for @${e.alias} set`
    case 'policy_deleted':
      return `policy for @${e.alias} removed`
    default:
      return e.kind
  }
}

export function ModelPage({ name }: { name: string }): React.JSX.Element {
  useTitle(name)
  const [model, setModel] = useState<RegisteredModel | null>(null)
  const [versions, setVersions] = useState<ModelVersion[]>([])
  const [events, setEvents] = useState<RegistryEvent[]>([])
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [moving, setMoving] = useState<{ alias: string; version: string } | null>(null)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let live = true
    Promise.all([
      registry.getRegisteredModel(name),
      registry.searchModelVersions({
        filter: `name = '${name.replaceAll("'", "''")}'`,
        orderBy: ['version_number DESC'],
        maxResults: 1000,
      }),
      registry.getHistory(name, { maxResults: 200 }),
    ]).then(
      ([m, v, h]) => {
        if (!live) return
        const aliasesOf = new Map<string, string[]>()
        for (const a of m.aliases) aliasesOf.set(a.version, [...(aliasesOf.get(a.version) ?? []), a.alias])
        setModel(m)
        setVersions(v.modelVersions.map((x) => ({ ...x, aliases: aliasesOf.get(x.version) ?? [] })))
        setEvents(h.events)
        setError(null)
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [name, version])

  const rollback = async (alias: string): Promise<void> => {
    if (!confirm(`Roll @${alias} back to the version it pointed at before?`)) return
    try {
      const r = await registry.rollback(name, { alias, reason: 'rolled back from the web UI' })
      setNotice(`@${alias}: v${r.fromVersion ?? '∅'} → v${r.toVersion}`)
      setVersion((x) => x + 1)
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  if (error && !model)
    return (
      <main className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </main>
    )
  if (!model) return <main className="page muted">Loading model…</main>
  const aliases = model.aliases.length > 0 ? model.aliases : [{ alias: 'champion', version: '' }]

  return (
    <main className="page" aria-labelledby="model-title">
      <div className="page-head">
        <h1 id="model-title">
          <Link to="/models">Models</Link> / {model.name}
        </h1>
        <span className="muted">{model.description}</span>
      </div>
      {notice && (
        <p role="status" className="verdict-pass">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="aliases-title">
        <h2 id="aliases-title">Aliases</h2>
        <table className="table" aria-label="Aliases">
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Version</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {aliases.map((a) => (
              <tr key={a.alias}>
                <td>
                  <span className="badge alias">@{a.alias}</span>
                </td>
                <td>{a.version ? `v${a.version}` : <span className="muted">unset</span>}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="primary"
                    onClick={() =>
                      setMoving({
                        alias: a.alias,
                        version: versions.find((v) => v.version !== a.version)?.version ?? a.version,
                      })
                    }
                    data-testid={`move-${a.alias}`}
                  >
                    Move…
                  </button>
                  {a.version && (
                    <button
                      type="button"
                      onClick={() => void rollback(a.alias)}
                      data-testid={`rollback-${a.alias}`}
                    >
                      Roll back
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions ({versions.length})</h2>
        <table className="table" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Aliases</th>
              <th scope="col">Status</th>
              <th scope="col">Stage</th>
              <th scope="col">Run</th>
              <th scope="col">Created</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>
                  {v.aliases.map((a) => (
                    <span key={a} className="badge alias">
                      @{a}
                    </span>
                  ))}
                </td>
                <td title={v.statusMessage}>{v.status}</td>
                <td>{v.currentStage}</td>
                <td>{v.runId ? <Link to={`/runs/${v.runId}`}>{v.runId.slice(0, 8)}</Link> : '—'}</td>
                <td title={formatTime(v.creationTimestamp)}>{formatAgo(v.creationTimestamp)}</td>
                <td className="mono">{v.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {versions.filter((v) => v.runId).length >= 2 && (
          <Link
            to={`/compare?runs=${[...new Set(versions.filter((v) => v.runId).map((v) => v.runId))].slice(0, 20).join(',')}`}
          >
            Compare the versions' runs
          </Link>
        )}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol className="timeline" aria-label="Audit trail, newest first" data-testid="history">
          {events.map((e) => (
            <li key={e.eventId}>
              <strong>{describe(e)}</strong>{' '}
              <span className="muted">
                {formatTime(e.timestamp)}
                {e.userId ? ` · ${e.userId}` : ''}
              </span>
              {e.reason && <div>“{e.reason}”</div>}
            </li>
          ))}
        </ol>
      </section>
      {moving && (
        <MoveAliasDialog
          model={model.name}
          alias={moving.alias}
          versions={versions}
          current={model.aliases.find((a) => a.alias === moving.alias)?.version ?? null}
          initialVersion={moving.version}
          onClose={(moved) => {
            setMoving(null)
            if (moved) {
              setNotice(`@${moving.alias} moved.`)
              setVersion((x) => x + 1)
            }
          }}
        />
      )}
    </main>
  )
}

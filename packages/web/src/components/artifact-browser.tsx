/**
 * A run's artifacts: a folder tree (listed on demand, folder by folder) and a preview of the
 * chosen file: text, JSON (pretty), CSV/TSV as a table, images, and MLmodel files (YAML, with
 * the flavors and signature picked out). Large files show their first 512 KB.
 */
import { useEffect, useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireFileInfo } from '../../../../src/protocol/wire.js'
import { artifactUrl, call, errorMessage } from '../api/client.js'
import { formatBytes } from '../state/format.js'
import { previewKind, parseDelimited } from './artifact-preview.js'

const PREVIEW_BYTES = 512 * 1024

function Folder(props: {
  runId: string
  path: string
  chosen: string | null
  onChoose: (f: WireFileInfo) => void
}): React.JSX.Element {
  const [files, setFiles] = useState<WireFileInfo[] | null>(null)
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    call(TRACKING_API.listArtifacts, {
      run_id: props.runId,
      ...(props.path ? { path: props.path } : {}),
    }).then(
      (a) =>
        setFiles(
          [...(a.files ?? [])].sort(
            (x, y) => Number(y.is_dir) - Number(x.is_dir) || x.path.localeCompare(y.path),
          ),
        ),
      (err: unknown) => setError(errorMessage(err)),
    )
  }, [props.runId, props.path])
  if (error) return <p className="error">{error}</p>
  if (!files) return <p className="muted">…</p>
  if (files.length === 0 && props.path === '') return <p className="muted">No artifacts.</p>
  return (
    <ul
      className="tree"
      role={props.path === '' ? 'tree' : 'group'}
      aria-label={props.path === '' ? 'Artifacts' : undefined}
    >
      {files.map((f) => {
        const name = f.path.slice(f.path.lastIndexOf('/') + 1)
        const isOpen = open.has(f.path)
        return (
          <li
            key={f.path}
            role="treeitem"
            aria-expanded={f.is_dir ? isOpen : undefined}
            aria-selected={props.chosen === f.path}
          >
            <button
              type="button"
              aria-current={props.chosen === f.path}
              onClick={() => {
                if (!f.is_dir) return props.onChoose(f)
                const next = new Set(open)
                if (isOpen) next.delete(f.path)
                else next.add(f.path)
                setOpen(next)
              }}
            >
              {f.is_dir ? (isOpen ? '▾ ' : '▸ ') : ''}
              {name}
              {!f.is_dir && <span className="muted"> {formatBytes(f.file_size)}</span>}
            </button>
            {f.is_dir && isOpen && (
              <Folder runId={props.runId} path={f.path} chosen={props.chosen} onChoose={props.onChoose} />
            )}
          </li>
        )
      })}
    </ul>
  )
}

function Preview(props: { runId: string; file: WireFileInfo }): React.JSX.Element {
  const kind = previewKind(props.file.path)
  const url = artifactUrl(props.runId, props.file.path)
  const [text, setText] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const truncated = (props.file.file_size ?? 0) > PREVIEW_BYTES
  useEffect(() => {
    setText(null)
    setError(null)
    if (kind === 'image' || kind === 'binary') return
    fetch(url, { headers: { Range: `bytes=0-${PREVIEW_BYTES - 1}` } })
      .then(async (r) => {
        if (!r.ok) throw new Error(`${r.status} ${await r.text()}`)
        const buf = await r.arrayBuffer()
        setText(new TextDecoder().decode(buf.slice(0, PREVIEW_BYTES)))
      })
      .catch((err: unknown) => setError(errorMessage(err)))
  }, [url, kind])
  let body: React.JSX.Element
  if (error) body = <p className="error">{error}</p>
  else if (kind === 'image') body = <img src={url} alt={props.file.path} />
  else if (kind === 'binary') body = <p className="muted">No preview for this file type.</p>
  else if (text === null) body = <p className="muted">Loading…</p>
  else if (kind === 'json') {
    let pretty = text
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      // Not valid JSON (or cut short): shown as it is.
    }
    body = <pre>{pretty}</pre>
  } else if (kind === 'csv' || kind === 'tsv') {
    const rows = parseDelimited(text, kind === 'tsv' ? '\t' : ',', 500)
    body = (
      <table className="table" aria-label={`${props.file.path} contents`}>
        <thead>
          <tr>
            {(rows[0] ?? []).map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(1).map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    )
  } else if (kind === 'mlmodel') {
    const flavors = [...text.matchAll(/^ {2}(\w+):\s*$/gm)].map((m) => m[1]!)
    const signature = /^signature:\n((?: {2}.*\n?)+)/m.exec(text)?.[1]
    body = (
      <>
        <p>
          <strong>MLflow model.</strong> Flavors:{' '}
          {flavors.map((f) => (
            <span key={f} className="badge">
              {f}
            </span>
          ))}
        </p>
        {signature && (
          <>
            <h3>Signature</h3>
            <pre>{signature}</pre>
          </>
        )}
        <h3>MLmodel</h3>
        <pre>{text}</pre>
      </>
    )
  } else body = <pre>{text}</pre>
  return (
    <section className="preview" aria-label={`Preview of ${props.file.path}`} data-testid="artifact-preview">
      <div className="toolbar-row">
        <strong>{props.file.path}</strong>
        <span className="muted">{formatBytes(props.file.file_size)}</span>
        <a href={url} download>
          Download
        </a>
        {truncated && kind !== 'image' && <span className="muted">(first {formatBytes(PREVIEW_BYTES)})</span>}
      </div>
      {body}
    </section>
  )
}

export function ArtifactBrowser(props: { runId: string }): React.JSX.Element {
  const [chosen, setChosen] = useState<WireFileInfo | null>(null)
  return (
    <div className="split">
      <Folder runId={props.runId} path="" chosen={chosen?.path ?? null} onChoose={setChosen} />
      {chosen ? (
        <Preview runId={props.runId} file={chosen} />
      ) : (
        <p className="muted">Choose a file to preview it.</p>
      )}
    </div>
  )
}

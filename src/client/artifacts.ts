/**
 * Uploading run artifacts the way MLflow's client does for a tracking server that proxies
 * artifacts: a streamed PUT of each file to /api/2.0/mlflow-artifacts/artifacts/<path>, where
 * <path> comes from the run's `mlflow-artifacts:` artifact URI. `http(s)://` artifact URIs are
 * written to directly. Other schemes (s3:, file: on another machine) need storage credentials
 * the SDK does not handle, so they are refused with a clear error.
 */
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { CairnError } from '../protocol/errors.js'
import type { HttpClient } from './http.js'

const PROXY_PREFIX = '/api/2.0/mlflow-artifacts/artifacts'

/** The URL (or path below the tracking URI) that an artifact URI's files are PUT under. */
export function artifactBaseUrl(artifactUri: string, trackingUri: string): string {
  if (artifactUri.startsWith('mlflow-artifacts:')) {
    const url = new URL(artifactUri)
    const path = url.pathname.replace(/\/+$/, '')
    // mlflow-artifacts://host:port/... names another server; MLflow keeps the tracking scheme.
    if (url.host !== '') return `${new URL(trackingUri).protocol}//${url.host}${PROXY_PREFIX}${path}`
    return `${PROXY_PREFIX}${path}`
  }
  if (/^https?:\/\//.test(artifactUri)) return artifactUri.replace(/\/+$/, '')
  throw new CairnError(
    'INVALID_PARAMETER_VALUE',
    `The run's artifact URI is '${artifactUri}'. The Cairn SDK uploads artifacts only through a tracking server's artifact proxy (mlflow-artifacts:) or to http(s) URIs; start the server with proxied artifacts (Cairn's default).`,
  )
}

/** `dir/sub` + `a b.txt` → `dir/sub/a%20b.txt`, refusing paths that would leave the run's folder. */
export function joinArtifactPath(...parts: (string | undefined)[]): string {
  const segments: string[] = []
  for (const part of parts) {
    if (part === undefined || part === '') continue
    for (const seg of part.split(/[\\/]+/)) {
      if (seg === '' || seg === '.') continue
      if (seg === '..')
        throw new CairnError('INVALID_PARAMETER_VALUE', `Artifact path '${part}' must not contain '..'`)
      segments.push(seg)
    }
  }
  return segments.join('/')
}

export async function uploadFile(
  http: HttpClient,
  target: { base: string; artifactPath: string },
  localPath: string,
): Promise<void> {
  const info = await stat(localPath)
  if (!info.isFile()) throw new CairnError('INVALID_PARAMETER_VALUE', `'${localPath}' is not a file`)
  const encoded = target.artifactPath.split('/').map(encodeURIComponent).join('/')
  await http.send({
    method: 'PUT',
    path: `${target.base}/${encoded}`,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(info.size) },
    body: () =>
      info.size === 0 ? '' : (Readable.toWeb(createReadStream(localPath)) as ReadableStream<Uint8Array>),
    streaming: info.size > 0,
    timeoutMs: null,
  })
}

/** Every file below `dir` (following symlinks to files), as paths relative to it with `/`. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const full = join(current, entry.name)
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full)).isDirectory())
      if (isDir) await walk(full)
      else out.push(relative(dir, full).split(sep).join('/'))
    }
  }
  await walk(dir)
  return out
}

/** Runs `task` over `items` with at most `limit` at a time; rejects with the first failure. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

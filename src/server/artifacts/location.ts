/**
 * Artifact locations and run artifact URIs: checking the ones clients choose (experiment
 * `artifact_location`) and telling which store serves a run's `artifact_uri`.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import { safeRelativePath } from './safe-path.js'

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/

/** The URI's scheme in lower case, or '' for a plain path. */
export function uriScheme(uri: string): string {
  return SCHEME.exec(uri)?.[1]?.toLowerCase() ?? ''
}

/** Percent-decodes until nothing changes, as MLflow does before looking for traversal. */
function decodeFully(text: string): string {
  for (let i = 0; i < 10; i++) {
    const next = text.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
    if (next === text) return text
    text = next
  }
  throw invalidParameter('Invalid artifact location: too many layers of percent-encoding')
}

// Schemes whose last path segment Python's urlparse splits ';params' from; MLflow refuses them.
const SCHEMES_WITH_PARAMS = new Set(['', 'http', 'https', 'ftp', 'sftp'])

/**
 * Throws INVALID_PARAMETER_VALUE for an experiment artifact location that could reach outside
 * where it points. Any scheme is accepted (clients write to s3: and others directly, as with
 * MLflow). MLflow refuses fragments, ';params' and '..' anywhere in the query ("Invalid query
 * string"); Cairn also refuses NUL bytes and '..' segments in the path, raw or percent-encoded.
 */
export function validateArtifactLocation(uri: string): void {
  if (uri.includes('\0')) throw invalidParameter("'artifact_location' may not contain NUL bytes.")
  const hash = uri.indexOf('#')
  const beforeHash = hash === -1 ? uri : uri.slice(0, hash)
  const query = beforeHash.indexOf('?')
  const path = query === -1 ? beforeHash : beforeHash.slice(0, query)
  const lastSegment = path.slice(path.lastIndexOf('/') + 1)
  if (
    (hash !== -1 && hash < uri.length - 1) ||
    (SCHEMES_WITH_PARAMS.has(uriScheme(uri)) && lastSegment.includes(';'))
  ) {
    throw invalidParameter("'artifact_location' URL can't include fragments or params.")
  }
  if (query !== -1 && decodeFully(beforeHash.slice(query + 1)).includes('..')) {
    throw invalidParameter('Invalid query string')
  }
  if (decodeFully(path).replaceAll('\\', '/').split('/').includes('..')) {
    throw invalidParameter(`Invalid artifact location ${JSON.stringify(uri)}: '..' segments are not allowed.`)
  }
}

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/'

/**
 * Where a run's artifacts live: in the server's own proxied store (`mlflow-artifacts:/X`, or an
 * http(s) URL of this API's `/api/2.0/mlflow-artifacts/artifacts/X` route, as MLflow allows),
 * at `path` below its root; or at some other URI, served by the backend for its scheme.
 */
export type RunArtifactRoot = { kind: 'proxied'; path: string } | { kind: 'uri'; uri: string }

export function runArtifactRoot(artifactUri: string): RunArtifactRoot {
  const scheme = uriScheme(artifactUri)
  let path: string | null = null
  if (scheme === 'mlflow-artifacts') {
    // mlflow-artifacts:/X, mlflow-artifacts:X or mlflow-artifacts://host:port/X: the path is X.
    let rest = artifactUri.slice(scheme.length + 1)
    if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '')
    path = rest
  } else if (scheme === 'http' || scheme === 'https') {
    const at = artifactUri.indexOf(PROXY_ANCHOR)
    if (at !== -1) path = artifactUri.slice(at + PROXY_ANCHOR.length)
  }
  if (path === null) return { kind: 'uri', uri: artifactUri }
  path = path.replace(/[?#].*$/, '').replace(/^\/+/, '')
  try {
    return { kind: 'proxied', path: safeRelativePath(path) }
  } catch (err) {
    throw new CairnError(
      'INVALID_STATE',
      `The run's artifact URI ${JSON.stringify(artifactUri)} is not a safe path.`,
      {
        cause: err,
      },
    )
  }
}

/** The local path a `file:` URI or a plain path names; null for other schemes. */
export function localPathOf(uri: string): string | null {
  const scheme = uriScheme(uri)
  if (scheme === 'file') {
    try {
      return fileURLToPath(uri)
    } catch (err) {
      throw invalidParameter(`Invalid file URI ${JSON.stringify(uri)}: ${(err as Error).message}`)
    }
  }
  return scheme === '' && uri !== '' ? resolve(uri) : null
}

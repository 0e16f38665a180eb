/**
 * Path safety for artifact paths: the one place that decides whether a client-given path may
 * name something under an artifact root. Every artifact route and every backend goes through
 * `safeRelativePath` (backends call it again, so a route that forgets cannot escape); the file
 * backend adds the symlink check (`file/inside-root.ts`), which needs the disk.
 */
import { CairnError } from '../../protocol/errors.js'

/** MLflow answers "Invalid path" (400) for every refused path; Cairn adds the reason. */
export function invalidPath(path: string, reason: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `Invalid path ${JSON.stringify(path)}: ${reason}`)
}

// Escapes of '.', '/', '\' and NUL left in a path that was already decoded once are a second
// layer of encoding: no client sends them except to slip '..' or a separator past a check that
// looks at one layer (a decoder further on would turn them into traversal).
const ENCODED_TRAVERSAL = /%(2e|2f|5c|00)/i
const WINDOWS_DRIVE = /^[a-zA-Z]:(\/|$)/

/**
 * The normalized relative form of `path` ('' for the root): '.' and empty segments dropped, no
 * leading or trailing '/'. Throws INVALID_PARAMETER_VALUE for NUL bytes, backslashes, leftover
 * percent-escapes of '.', '/', '\' or NUL, absolute paths and '..' segments.
 *
 * `path` is the decoded text: a query parameter as URLSearchParams gives it, or a URL path after
 * `decodeUrlPath`.
 */
export function safeRelativePath(path: string): string {
  if (path.includes('\0')) throw invalidPath(path, 'NUL bytes are not allowed')
  if (path.includes('\\')) throw invalidPath(path, "backslashes are not allowed; separate folders with '/'")
  if (ENCODED_TRAVERSAL.test(path))
    throw invalidPath(path, "percent-encoded '.', '/', '\\' or NUL is not allowed")
  if (path.startsWith('/') || WINDOWS_DRIVE.test(path)) {
    throw invalidPath(path, 'absolute paths are not allowed; give a path relative to the artifact root')
  }
  const segments = path.split('/')
  if (segments.includes('..')) throw invalidPath(path, "'..' segments are not allowed")
  return segments.filter((s) => s !== '' && s !== '.').join('/')
}

/**
 * Decodes the percent-encoded tail of a request URL (the `<path>` of
 * `/mlflow-artifacts/artifacts/<path>`) and checks it with `safeRelativePath`. An encoded '/'
 * or '\' or NUL in a URL path is refused before decoding: a single path segment cannot contain
 * them, so they only serve to hide a separator from whatever looked at the raw URL.
 */
export function decodeUrlPath(raw: string): { decoded: string; relative: string } {
  if (ENCODED_TRAVERSAL.test(raw.replace(/%2e/gi, ''))) {
    throw invalidPath(raw, "percent-encoded '/', '\\' or NUL is not allowed in a URL path")
  }
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    throw invalidPath(raw, 'malformed percent-encoding')
  }
  return { decoded, relative: safeRelativePath(decoded) }
}

/** Joins normalized relative paths ('' is the root). */
export function joinRelative(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/')
}

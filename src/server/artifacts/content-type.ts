/**
 * The Content-Type MLflow gives downloaded artifacts (mlflow/utils/mime_type_utils.py): text
 * formats, MLmodel and MLproject files are `text/plain` so the UI can show them; other names go
 * through Python's mimetypes table (the common part of it is copied here); anything unknown is
 * `application/octet-stream`.
 */
// prettier-ignore
const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml',
  'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'mlproject',
])

const PYTHON_MIME_TYPES: Readonly<Record<string, string>> = {
  bin: 'application/octet-stream',
  bmp: 'image/bmp',
  c: 'text/plain',
  css: 'text/css',
  gif: 'image/gif',
  h: 'text/plain',
  htm: 'text/html',
  html: 'text/html',
  ico: 'image/vnd.microsoft.icon',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  png: 'image/png',
  sh: 'application/x-sh',
  svg: 'image/svg+xml',
  tar: 'application/x-tar',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  wasm: 'application/wasm',
  wav: 'audio/x-wav',
  webp: 'image/webp',
  zip: 'application/zip',
}

/** The file name of a '/'-separated path. */
export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? ''
}

export function artifactContentType(path: string): string {
  const name = baseName(path)
  const dot = name.lastIndexOf('.')
  // Python's splitext: a leading dot does not start an extension (".bashrc" has none).
  const ext = dot > 0 ? name.slice(dot + 1) : ''
  if (TEXT_EXTENSIONS.has(ext === '' ? name : ext)) return 'text/plain'
  return (
    (ext !== '' && (PYTHON_MIME_TYPES[ext] ?? PYTHON_MIME_TYPES[ext.toLowerCase()])) ||
    'application/octet-stream'
  )
}

/**
 * MLflow's `attachment; filename=<name>` (unquoted, as the golden transcripts show) when the
 * name is plain; otherwise RFC 6266's quoted and UTF-8 forms, since a header cannot carry
 * quotes, semicolons, control or non-Latin-1 characters raw.
 */
export function attachmentDisposition(path: string): string {
  const name = baseName(path)
  if (/^[\x20-\x7e]+$/.test(name) && !/[";\\]/.test(name)) return `attachment; filename=${name}`
  const fallback = name.replace(/[^\x20-\x7e]|["\\;]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

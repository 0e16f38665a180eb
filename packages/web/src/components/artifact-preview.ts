/** How an artifact is previewed, by its name; and a small CSV reader for the table preview. */

export type PreviewKind = 'image' | 'json' | 'csv' | 'tsv' | 'mlmodel' | 'text' | 'binary'

const TEXT = new Set([
  'txt',
  'log',
  'md',
  'yaml',
  'yml',
  'py',
  'toml',
  'cfg',
  'ini',
  'xml',
  'html',
  'sh',
  'err',
  'out',
  'js',
  'ts',
  'r',
  'sql',
])
const IMAGE = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp'])

export function previewKind(path: string): PreviewKind {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (name === 'MLmodel') return 'mlmodel'
  if (name === 'MLproject' || name === 'requirements.txt' || name === 'conda.yaml') return 'text'
  const dot = name.lastIndexOf('.')
  const ext = dot === -1 ? '' : name.slice(dot + 1).toLowerCase()
  if (IMAGE.has(ext)) return 'image'
  if (ext === 'json') return 'json'
  if (ext === 'csv') return 'csv'
  if (ext === 'tsv') return 'tsv'
  if (TEXT.has(ext) || dot === -1) return 'text'
  return 'binary'
}

/** RFC 4180 rows (quoted fields, doubled quotes, line breaks inside quotes), at most `limit`. */
export function parseDelimited(text: string, sep: string, limit: number): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length && rows.length < limit; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === sep) {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if ((field !== '' || row.length > 0) && rows.length < limit) rows.push([...row, field])
  return rows
}

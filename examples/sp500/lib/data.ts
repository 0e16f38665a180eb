/**
 * Daily price data: reading it from a file or an http(s) URL, validating it, and writing it back
 * as a canonical CSV whose SHA-256 names the dataset version. Canonical means the same prices give
 * the same bytes (column order, number spelling, line ends), so re-ingesting unchanged data yields
 * the same digest and the steps after ingest hit the pipeline cache.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface PriceRow {
  date: string
  open: number | null
  high: number | null
  low: number | null
  close: number
  volume: number | null
}

/** Optional columns the data had; features use what is there. */
export interface PriceColumns {
  open: boolean
  high: boolean
  low: boolean
  volume: boolean
}

export interface PriceTable {
  rows: PriceRow[]
  columns: PriceColumns
}

export class DataValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not usable price data:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'DataValidationError'
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const MAX_PROBLEMS = 10

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === s
}

/** A simple CSV field splitter: commas, optional double quotes around a field ("" inside quotes). */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim())
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out
}

/** `close` is the price; `adjclose`, `adj close` and `price` stand in for it when it is absent. */
const CLOSE_NAMES = ['close', 'adjclose', 'adj close', 'adj_close', 'price']

export interface ParseOptions {
  /** Where the text came from, for messages. */
  source?: string
  /** Fewer data rows than this is an error (features need a warm-up, training needs rows). */
  minRows?: number
}

/**
 * Parses and validates: a header naming `date` and a close price, ISO dates strictly ascending
 * (so unique), positive finite prices, non-negative finite volumes. Every problem (up to ten) is
 * reported with its line number in one DataValidationError.
 */
export function parsePriceCsv(text: string, opts: ParseOptions = {}): PriceTable {
  const source = opts.source ?? 'the data'
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  if (lines.length === 0) throw new DataValidationError(source, ['the file is empty'])
  const header = splitLine(lines[0]!).map((h) => h.toLowerCase())
  const at = (names: string[]): number => {
    for (const n of names) {
      const i = header.indexOf(n)
      if (i !== -1) return i
    }
    return -1
  }
  const iDate = at(['date'])
  const iClose = at(CLOSE_NAMES)
  const missing = [
    ...(iDate === -1 ? ["'date'"] : []),
    ...(iClose === -1 ? ["'close' (or adjclose, price)"] : []),
  ]
  if (missing.length > 0) {
    throw new DataValidationError(source, [
      `the header (line 1: '${lines[0]!.slice(0, 120)}') has no column ${missing.join(' and no column ')}`,
    ])
  }
  const idx = { open: at(['open']), high: at(['high']), low: at(['low']), volume: at(['volume']) }
  const columns: PriceColumns = {
    open: idx.open !== -1,
    high: idx.high !== -1,
    low: idx.low !== -1,
    volume: idx.volume !== -1,
  }
  const problems: string[] = []
  const problem = (m: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(m)
    else if (problems.length === MAX_PROBLEMS) problems.push('… more problems not shown')
  }
  const rows: PriceRow[] = []
  let prev: { date: string; line: number } | null = null
  for (let li = 1; li < lines.length; li++) {
    const line = li + 1
    const raw = lines[li]!
    if (raw.trim() === '') {
      problem(`line ${line} is empty`)
      continue
    }
    const f = splitLine(raw)
    if (f.length !== header.length) {
      problem(`line ${line} has ${f.length} fields, the header has ${header.length}`)
      continue
    }
    const date = f[iDate]!
    if (!validDate(date)) {
      problem(`line ${line}: date '${date}' is not a calendar date written YYYY-MM-DD`)
      continue
    }
    if (prev && date <= prev.date) {
      problem(
        date === prev.date
          ? `line ${line}: date ${date} repeats line ${prev.line} (dates must be unique)`
          : `line ${line}: date ${date} comes after ${prev.date} (line ${prev.line}); dates must be in ascending order`,
      )
    }
    prev = { date, line }
    const price = (name: string, i: number): number | null => {
      if (i === -1) return null
      const v = Number(f[i])
      if (f[i] === '' || !Number.isFinite(v) || v <= 0) {
        problem(`line ${line} (${date}): ${name} '${f[i]}' is not a positive finite number`)
        return Number.NaN
      }
      return v
    }
    const close = price(header[iClose]!, iClose)!
    const open = price('open', idx.open)
    const high = price('high', idx.high)
    const low = price('low', idx.low)
    let volume: number | null = null
    if (idx.volume !== -1) {
      volume = Number(f[idx.volume])
      if (f[idx.volume] === '' || !Number.isFinite(volume) || volume < 0) {
        problem(`line ${line} (${date}): volume '${f[idx.volume]}' is not a non-negative finite number`)
      }
    }
    rows.push({ date, open, high, low, close, volume })
  }
  const minRows = opts.minRows ?? 1
  if (rows.length < minRows && problems.length === 0) {
    problem(`it has ${rows.length} data rows; at least ${minRows} are needed`)
  }
  if (problems.length > 0) throw new DataValidationError(source, problems)
  return { rows, columns }
}

/** The canonical CSV of a table: fixed column order, numbers as JavaScript writes them, `\n` line ends. */
export function toCanonicalCsv(table: PriceTable): string {
  const cols = (['open', 'high', 'low'] as const).filter((c) => table.columns[c])
  const header = ['date', ...cols, 'close', ...(table.columns.volume ? ['volume'] : [])]
  const lines = [header.join(',')]
  for (const r of table.rows) {
    const v = [r.date, ...cols.map((c) => String(r[c])), String(r.close)]
    if (table.columns.volume) v.push(String(r.volume))
    lines.push(v.join(','))
  }
  return `${lines.join('\n')}\n`
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export interface SourceText {
  text: string
  /** `http` or `local`, as MLflow's dataset sources are typed. */
  sourceType: 'http' | 'local'
  /** The URL, or the absolute path. */
  uri: string
}

/** Reads a path (relative to `cwd`), a `file:` URL, or an http(s) URL. */
export async function readSource(location: string, cwd = process.cwd()): Promise<SourceText> {
  if (/^https?:\/\//i.test(location)) {
    let res: Response
    try {
      res = await fetch(location, { signal: AbortSignal.timeout(60_000) })
    } catch (err) {
      throw new Error(`Cannot download ${location}: ${(err as Error).message}`)
    }
    if (!res.ok) throw new Error(`Cannot download ${location}: HTTP ${res.status} ${res.statusText}`)
    return { text: await res.text(), sourceType: 'http', uri: location }
  }
  const path = location.startsWith('file:') ? fileURLToPath(location) : resolve(cwd, location)
  try {
    return { text: await readFile(path, 'utf8'), sourceType: 'local', uri: path }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(
      `Cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`,
    )
  }
}

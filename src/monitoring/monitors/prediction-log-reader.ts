/**
 * Reads a window of a served model's prediction log and its feedback (the JSON Lines files
 * serving writes: src/server/serving/observability/prediction-log.ts documents the lines) into
 * columns. Files are rotated as `<prefix>-<UTC stamp>-<n>.jsonl`, so names sort by age and a
 * file whose successor was opened before the window starts holds nothing of it and is not read.
 * A torn last line (a file being written) is skipped, never an error.
 */
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { loggedColumns } from '../../server/serving/observability/logged-columns.js'

export interface LogWindow {
  /** Inclusive, epoch ms. */
  start: number
  /** Exclusive, epoch ms. */
  end: number
}

/** Rows of a prediction-log window, columnar: one entry per predicted row. */
export interface PredictionRows {
  rows: number
  /** Input columns by name (tensor inputs with k values per row become `name[0]` … `name[k-1]`). */
  inputs: Map<string, unknown[]>
  /** Model outputs by name: a value per row (a list per row for [rows, k] outputs). */
  outputs: Map<string, unknown[]>
  requestIds: string[]
  /** Each row's request time, epoch ms. */
  times: number[]
  modelVersions: (string | null)[]
  /** Requests whose model failed (their inputs are kept, outputs are null). */
  failedRequests: number
  /** Requests read (one request may hold many rows). */
  requests: number
  /** Lines that were not valid records. */
  badLines: number
  files: string[]
}

export interface ReadOptions {
  window: LogWindow
  /** Roles kept (default: primary only; canary and shadow answers are other models). */
  roles?: readonly string[]
  /** Keep only this served model's lines (a folder holds one model; this guards a shared folder). */
  model?: string
}

const STAMP = /-(\d{8}T\d{9}Z)-\d+\.jsonl$/

/** `20241123T221000123Z` → epoch ms. */
function stampTime(file: string): number | null {
  const m = STAMP.exec(file)
  if (!m) return null
  const s = m[1]!
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`
  const t = Date.parse(iso)
  return Number.isNaN(t) ? null : t
}

/** A clock difference between the writer and the stamp is tolerated this much. */
const SLACK_MS = 60_000

/** Files of `prefix` in `dir` that may hold lines at or after `since`, oldest first. */
export async function logFiles(dir: string, prefix: string, since: number): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const files = names.filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.jsonl')).sort()
  return files.filter((_, i) => {
    const next = files[i + 1]
    const nextStart = next === undefined ? null : stampTime(next)
    return nextStart === null || nextStart >= since - SLACK_MS
  })
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  for await (const line of rl) if (line !== '') yield line
}

type Json = Record<string, unknown>

function parseLine(line: string): Json | null {
  try {
    const v = JSON.parse(line) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null
  } catch {
    return null
  }
}

/** A request's column as one value per row, or null when its shape is not per-row. */
function perRow(v: unknown, rows: number): unknown[] | null {
  if (!Array.isArray(v)) return rows === 1 ? [v] : null
  if (v.length === rows) return v as unknown[]
  // A 1-row tensor input may be logged without its batch dimension.
  return rows === 1 ? [v] : null
}

class Columns {
  readonly map = new Map<string, unknown[]>()
  constructor(private readonly rowsBefore: () => number) {}

  /** Appends `values` (one per row of the current request) to `name`, padding older rows with null. */
  push(name: string, values: unknown[]): void {
    let col = this.map.get(name)
    if (!col) {
      col = new Array<unknown>(this.rowsBefore()).fill(null)
      this.map.set(name, col)
    }
    for (const v of values) col.push(v)
  }

  /** Pads every column to `rows` (a request that lacked a column). */
  fill(rows: number): void {
    for (const col of this.map.values()) while (col.length < rows) col.push(null)
  }
}

function addInputs(cols: Columns, inputs: unknown, rows: number): void {
  if (typeof inputs !== 'object' || inputs === null) return
  for (const [name, raw] of Object.entries(inputs as Json)) {
    const values = perRow(raw, rows)
    if (!values) continue
    const first = values.find((x) => x !== null && x !== undefined)
    if (Array.isArray(first) && values.every((x) => Array.isArray(x) && x.length === first.length)) {
      for (let k = 0; k < first.length; k++)
        cols.push(
          `${name}[${k}]`,
          values.map((x) => (x as unknown[])[k]),
        )
    } else cols.push(name, values)
  }
}

/** Reads the prediction lines with `ts` in the window. */
export async function readPredictionWindow(dir: string, opts: ReadOptions): Promise<PredictionRows> {
  const roles = new Set(opts.roles ?? ['primary'])
  const out: PredictionRows = {
    rows: 0,
    inputs: new Map(),
    outputs: new Map(),
    requestIds: [],
    times: [],
    modelVersions: [],
    failedRequests: 0,
    requests: 0,
    badLines: 0,
    files: [],
  }
  const inputs = new Columns(() => out.rows)
  const outputs = new Columns(() => out.rows)
  out.files = await logFiles(dir, 'predictions', opts.window.start)
  for (const f of out.files) {
    for await (const line of lines(join(dir, f))) {
      const r = parseLine(line)
      const ts = r && typeof r['ts'] === 'string' ? Date.parse(r['ts']) : NaN
      const rows = r?.['rows']
      if (!r || Number.isNaN(ts) || typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) {
        out.badLines++
        continue
      }
      if (ts < opts.window.start || ts >= opts.window.end) continue
      if (!roles.has(typeof r['role'] === 'string' ? r['role'] : 'primary')) continue
      if (opts.model !== undefined && r['model'] !== opts.model) continue
      out.requests++
      // Serving logs inputs and outputs as values or as the body and answer sent; it reads both back.
      const logged = loggedColumns(r)
      addInputs(inputs, logged.inputs, rows)
      if (logged.outputs) {
        for (const [name, raw] of Object.entries(logged.outputs)) {
          const values = perRow(raw, rows)
          if (values) outputs.push(name, values)
        }
      } else out.failedRequests++
      const id = typeof r['request_id'] === 'string' ? r['request_id'] : ''
      const version = typeof r['model_version'] === 'string' ? r['model_version'] : null
      for (let i = 0; i < rows; i++) {
        out.requestIds.push(id)
        out.times.push(ts)
        out.modelVersions.push(version)
      }
      out.rows += rows
      inputs.fill(out.rows)
      outputs.fill(out.rows)
    }
  }
  out.inputs = inputs.map
  out.outputs = outputs.map
  return out
}

/** Ground truth by request id: the newest feedback for each id sent at or after `since`. */
export async function readFeedback(dir: string, since: number): Promise<Map<string, unknown>> {
  const truth = new Map<string, unknown>()
  for (const f of await logFiles(dir, 'feedback', since)) {
    for await (const line of lines(join(dir, f))) {
      const r = parseLine(line)
      if (!r || typeof r['request_id'] !== 'string' || !('ground_truth' in r)) continue
      const ts = typeof r['ts'] === 'string' ? Date.parse(r['ts']) : NaN
      if (!Number.isNaN(ts) && ts < since) continue
      truth.set(r['request_id'], r['ground_truth'])
    }
  }
  return truth
}

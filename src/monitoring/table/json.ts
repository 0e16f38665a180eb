/**
 * JSON inputs: JSON Lines of records, a JSON array of records, column-oriented JSON
 * ({"col": [..]}), and serving's prediction log (predictions-*.jsonl, documented in
 * src/server/serving/observability/prediction-log.ts; logged-columns.ts reads a line's inputs and
 * outputs whether logged as values or as the body and answer sent): each line's input columns
 * become rows, its outputs become columns named after the output (`<name>[k]` for a list per
 * row), with `request_id`, `ts` and `model_version` kept as columns.
 */
import { invalidParameter } from '../../protocol/errors.js'
import { isPredictionLine, loggedColumns } from '../../server/serving/observability/logged-columns.js'
import { TableBuilder, type BuildLimits } from './builder.js'
import type { Table } from './table.js'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether a record looks like a prediction-log line. */
export function isPredictionLogRecord(v: unknown): boolean {
  return isPredictionLine(v)
}

/** Output columns of one prediction-log line, a list per row spread over `<name>[k]`. */
function outputColumns(outputs: Json, rows: number, inputs: Json): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {}
  for (const [name, values] of Object.entries(outputs)) {
    if (!Array.isArray(values) || values.length !== rows) continue
    const base = name in inputs ? `output.${name}` : name
    if (values.some((v) => Array.isArray(v))) {
      const width = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 1)))
      for (let k = 0; k < width; k++)
        out[`${base}[${k}]`] = values.map((v) => (Array.isArray(v) ? (v[k] as unknown) : null))
    } else out[base] = values
  }
  return out
}

export function addPredictionLogRecord(builder: TableBuilder, r: Json): void {
  const rows = r.rows as number
  // Inputs and outputs logged as values, or as the body and answer sent.
  const logged = loggedColumns(r)
  const inputs = logged.inputs ?? {}
  const cols: Record<string, ArrayLike<unknown>> = {}
  for (const [k, v] of Object.entries(inputs)) {
    if (Array.isArray(v) && v.length === rows) cols[k] = v
    else if (rows === 1) cols[k] = [v]
  }
  if (logged.outputs) Object.assign(cols, outputColumns(logged.outputs, rows, inputs))
  cols.request_id = new Array<unknown>(rows).fill(r.request_id)
  cols.ts = new Array<unknown>(rows).fill(typeof r.ts === 'string' ? Date.parse(r.ts) : null)
  cols.model_version = new Array<unknown>(rows).fill(r.model_version ?? null)
  builder.addColumns(cols, rows)
}

export interface JsonOptions {
  limits?: BuildLimits
  source?: string
}

/** Reads JSON Lines (records or prediction-log lines) from line chunks; blank lines are skipped. */
export async function readJsonLines(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: JsonOptions = {},
): Promise<Table> {
  const source = opts.source ?? 'JSON Lines'
  const builder = new TableBuilder('json', opts.limits, source)
  let n = 0
  for await (const line of lines) {
    n++
    const t = line.trim()
    if (t === '') continue
    let v: unknown
    try {
      v = JSON.parse(t)
    } catch (err) {
      throw invalidParameter(`${source}: line ${n} is not valid JSON (${(err as Error).message})`)
    }
    if (!isObject(v)) throw invalidParameter(`${source}: line ${n} is not a JSON object`)
    if (isPredictionLogRecord(v)) addPredictionLogRecord(builder, v)
    else builder.addRecord(v)
  }
  return builder.build()
}

/** Reads a JSON document: an array of records, or an object of equal-length column arrays. */
export function parseJsonDocument(text: string, opts: JsonOptions = {}): Table {
  const source = opts.source ?? 'JSON'
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw invalidParameter(`${source}: not valid JSON (${(err as Error).message})`)
  }
  const builder = new TableBuilder('json', opts.limits, source)
  if (Array.isArray(doc)) {
    doc.forEach((r, i) => {
      if (!isObject(r)) throw invalidParameter(`${source}: item ${i} is not a JSON object`)
      if (isPredictionLogRecord(r)) addPredictionLogRecord(builder, r)
      else builder.addRecord(r)
    })
    return builder.build()
  }
  if (isObject(doc)) {
    const cols = Object.entries(doc)
    if (cols.every(([, v]) => Array.isArray(v))) {
      const rows = (cols[0]?.[1] as unknown[] | undefined)?.length ?? 0
      builder.addColumns(Object.fromEntries(cols) as Record<string, unknown[]>, rows)
      return builder.build()
    }
  }
  throw invalidParameter(`${source}: expected an array of records or an object of column arrays`)
}

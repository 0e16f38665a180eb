/**
 * A prediction-log line's inputs and outputs as monitoring reads them, whichever way the line
 * holds them (prediction-log.ts): `inputs` / `outputs` as they are, or the request body and
 * MLflow answer logged as sent, read back with serving's own payload parsers into the same
 * shapes — inputs one list per column (one value per row; tensors nested per row), outputs one
 * value per row per output. Pure: no I/O.
 */
import { parseCsv } from '../input/csv.js'
import { dictTable } from '../input/enforce.js'
import { parseScoringJson, type Table } from '../input/payload.js'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export interface LoggedColumns {
  /** Column name → one value per row, or null when the line holds no readable inputs. */
  inputs: Json | null
  /** Output name → one value per row, or null when the line holds no outputs (a failed model). */
  outputs: Json | null
}

/** Column `c` of `table`, missing values as null. */
function column(table: Table, c: number): unknown[] {
  const values = table.columns[c]!
  const out = new Array<unknown>(values.length)
  for (let r = 0; r < values.length; r++) out[r] = values[r] ?? null
  return out
}

/** Pandas' read_csv: a column whose every present value is a number is numbers. */
function csvColumn(values: unknown[]): unknown[] {
  const numeric = values.every(
    (v) => v === null || (typeof v === 'string' && Number.isFinite(Number(v)) && v.trim() !== ''),
  )
  return numeric ? values.map((v) => (v === null ? null : Number(v))) : values
}

/** The checked columns (`names`, in the signature's order) out of the body that was sent. */
function requestColumns(names: unknown[], request: unknown, csv: boolean): Json | null {
  let table: Table | null
  if (csv) table = typeof request === 'string' ? parseCsv(request) : null
  else {
    const payload = parseScoringJson(request).payload
    if (payload.kind === 'table') table = payload.table
    else if (payload.kind === 'dict') table = dictTable(payload.value)
    else {
      // A list of rows, matched to the columns by position.
      const rows = payload.value
      const out: Json = {}
      names.forEach((n, c) => {
        out[String(n)] = rows.map((row) => (Array.isArray(row) ? ((row[c] as unknown) ?? null) : null))
      })
      return out
    }
  }
  if (!table) return null
  const out: Json = {}
  names.forEach((n, i) => {
    const name = String(n)
    let c = table.names.indexOf(name)
    // Columns of a signature without names are matched by position.
    if (c === -1 && name === String(i) && i < table.names.length) c = i
    const values = c === -1 ? new Array<unknown>(table.rows).fill(null) : column(table, c)
    out[name] = csv ? csvColumn(values) : values
  })
  return out
}

/** MLflow's `{"predictions": …}` as one value per row per output. */
function answerOutputs(names: unknown[], answer: unknown): Json | null {
  if (!isObject(answer) || !('predictions' in answer)) return null
  const p = answer['predictions']
  const out: Json = {}
  if (names.length === 1) out[String(names[0])] = p
  else if (Array.isArray(p)) {
    // One object per row (a table went in).
    for (const n of names) out[String(n)] = p.map((row) => (isObject(row) ? (row[String(n)] ?? null) : null))
  } else if (isObject(p)) {
    for (const n of names) out[String(n)] = p[String(n)] ?? null
  } else return null
  return out
}

function inputsOf(line: Json): Json | null {
  if (isObject(line['inputs'])) return line['inputs']
  const names = line['columns']
  if (!Array.isArray(names)) return null
  try {
    if ('request' in line) return requestColumns(names, line['request'], false)
    if ('request_csv' in line) return requestColumns(names, line['request_csv'], true)
  } catch {
    // A body serving accepted always parses again; anything else is not a readable line.
  }
  return null
}

function outputsOf(line: Json): Json | null {
  if (isObject(line['outputs'])) return line['outputs']
  const names = line['output_names']
  return Array.isArray(names) ? answerOutputs(names, line['answer']) : null
}

export function loggedColumns(line: Json): LoggedColumns {
  return { inputs: inputsOf(line), outputs: outputsOf(line) }
}

/** Whether a parsed JSON object is a prediction-log line (rather than a plain record). */
export function isPredictionLine(v: unknown): v is Json {
  return (
    isObject(v) &&
    typeof v['request_id'] === 'string' &&
    typeof v['rows'] === 'number' &&
    (isObject(v['inputs']) || Array.isArray(v['columns']))
  )
}

/**
 * The lines of the prediction log and the feedback log (docs/serving.md, "Prediction log"): one
 * JSON object per line. Monitoring reads these files through logged-columns.ts; their format is
 * a contract. Lines are built on the event loop after the answer is sent (log-writer.ts): what
 * costs is formatting numbers, so a request's body and answer, already JSON text, are copied into
 * the line as they are instead of formatting the parsed inputs and outputs again.
 *
 * predictions-*.jsonl: {"ts", "request_id", "model", "model_uri", "model_version", "role",
 *   "protocol", "latency_ms", "rows", <inputs>, <outputs>} where <inputs> is either
 *   "columns" (the checked columns, in the signature's order) with "request" (the JSON body as
 *   sent) or "request_csv" (the CSV body as a string), or "inputs" (the checked values, one list
 *   per column); and <outputs> is either "output_names" with "answer" (MLflow's
 *   {"predictions": …} as answered) or "outputs" (one value per row per output), or, when a
 *   shadow's model failed, "error"; "validation" ({"failed_rows", "failures": [{"expectation",
 *   "column", "count", "rows"}]}) when inline validation flagged rows (`--validate flag`).
 * feedback-*.jsonl: {"ts", "request_id", "model", "ground_truth"}.
 */
import type { ModelInput, ModelOrigin, Prediction } from '../types.js'
import { LineBuffer } from './line-buffer.js'
import { inputsJson, outputsJson } from './log-values.js'

export type Role = 'primary' | 'canary' | 'shadow'
export type Protocol = 'mlflow' | 'oip' | 'predict'

/** A request body that can go into the log as sent: strict JSON (no bare NaN), or CSV text. */
export type LoggedBody = { kind: 'json'; bytes: Buffer } | { kind: 'csv'; text: string }

export interface PredictionRecord {
  ts: number
  requestId: string
  origin: ModelOrigin
  role: Role
  protocol: Protocol
  latencyMs: number
  input: ModelInput
  /** The body the input was read from (MLflow's scoring protocol): logged instead of `input`'s values. */
  body?: LoggedBody
  prediction?: Prediction
  /** MLflow's answer text for `prediction`, set by the route once written: logged instead of its values. */
  answer?: string
  error?: string
  validation?: import('../validation/inline-checks.js').InlineOutcome
}

const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))
let isoSecond = NaN
let isoPrefix = ''

/** `new Date(ms).toISOString()`, computed once per second. */
function iso(ms: number): string {
  // Outside years 1970–9999 or between milliseconds the prefix trick does not hold.
  if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return new Date(ms).toISOString()
  const second = Math.floor(ms / 1000)
  if (second !== isoSecond) {
    isoSecond = second
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  }
  return `${isoPrefix}${THREE[ms - second * 1000]}Z`
}

interface Cached {
  /** `"model":…,"model_uri":…,"model_version":…,"role":…,"protocol":…` by role, then protocol. */
  heads: Partial<Record<Role, Partial<Record<Protocol, string>>>>
  columns?: Names
  outputs?: Names
}
const cache = new WeakMap<ModelOrigin, Cached>()

function cachedFor(o: ModelOrigin): Cached {
  let c = cache.get(o)
  if (!c) cache.set(o, (c = { heads: {} }))
  return c
}

function head(c: Cached, r: PredictionRecord): string {
  const byRole = (c.heads[r.role] ??= {})
  let h = byRole[r.protocol]
  if (h === undefined) {
    const o = r.origin
    h = byRole[r.protocol] =
      `"model":${JSON.stringify(o.name)},"model_uri":${JSON.stringify(o.uri)},` +
      `"model_version":${JSON.stringify(o.version)},"role":"${r.role}","protocol":"${r.protocol}"`
  }
  return h
}

/** A JSON string literal: request ids rarely need escaping, and JSON.stringify costs more than this check. */
function quoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s)
  }
  return `"${s}"`
}

interface Names {
  names: string[]
  json: string
}

/** The column names of `columns` as a JSON list, reusing the last text when they are the same. */
function columnNames(last: Names | undefined, columns: object): Names {
  if (last) {
    let i = 0
    let same = true
    for (const k in columns) {
      if (last.names[i++] !== k) {
        same = false
        break
      }
    }
    if (same && i === last.names.length) return last
  }
  const names = Object.keys(columns)
  return { names, json: JSON.stringify(names) }
}

/** The output names of `p` as a JSON list, reusing the last text when they are the same. */
function outputNames(last: Names | undefined, p: Prediction): Names {
  const outs = p.outputs
  if (last && last.names.length === outs.length && outs.every((o, i) => o.name === last.names[i])) return last
  const names = outs.map((o) => o.name)
  return { names, json: JSON.stringify(names) }
}

/** Whether `s` is JSON text fit for one line (the routes' answers never hold raw line breaks). */
const oneLine = (s: string): boolean => !s.includes('\n') && !s.includes('\r')

/** Answers up to this long are joined to the text before them rather than written apart. */
const SHORT = 2048

/** Appends the record's line, without its line break, to `out`. */
export function writePredictionLine(r: PredictionRecord, out: LineBuffer): void {
  const c = cachedFor(r.origin)
  let s =
    `{"ts":"${iso(r.ts)}","request_id":${quoted(r.requestId)},${head(c, r)},` +
    `"latency_ms":${Math.round(r.latencyMs * 1000) / 1000},"rows":${r.input.rows},`
  const body = r.body
  if (body && r.input.kind === 'columns') {
    c.columns = columnNames(c.columns, r.input.columns)
    if (body.kind === 'json') {
      out.str(`${s}"columns":${c.columns.json},"request":`)
      out.bytes(body.bytes)
      s = ''
    } else s += `"columns":${c.columns.json},"request_csv":${JSON.stringify(body.text)}`
  } else s += `"inputs":${inputsJson(r.input)}`
  const p = r.prediction
  if (p && r.answer !== undefined && oneLine(r.answer)) {
    c.outputs = outputNames(c.outputs, p)
    s += `,"output_names":${c.outputs.json},"answer":`
    if (r.answer.length > SHORT) {
      out.str(s)
      out.str(r.answer)
      s = ''
    } else s += r.answer
  } else if (p) s += `,"outputs":${outputsJson(p.outputs, p.rows)}`
  if (r.validation && r.validation.failedRows > 0) s += `,"validation":${validationJson(r.validation)}`
  out.str(r.error !== undefined ? `${s},"error":${JSON.stringify(r.error)}}` : `${s}}`)
}

/** Inline validation's verdict on a flagged request (`--validate flag`): rows failing, and why. */
function validationJson(v: NonNullable<PredictionRecord['validation']>): string {
  return JSON.stringify({
    failed_rows: v.failedRows,
    failures: v.failures.map((f) => ({
      expectation: f.expectation,
      column: f.column,
      count: f.count,
      rows: f.rows,
    })),
  })
}

/** One record's line, without its line break. */
export function predictionLine(r: PredictionRecord): string {
  const out = new LineBuffer()
  writePredictionLine(r, out)
  out.endLine()
  return out.toString().slice(0, -1)
}

export interface FeedbackRecord {
  ts: number
  requestId: string
  model: string
  groundTruth: unknown
}

export function feedbackLine(f: FeedbackRecord): string {
  return JSON.stringify({
    ts: iso(f.ts),
    request_id: f.requestId,
    model: f.model,
    ground_truth: f.groundTruth,
  })
}

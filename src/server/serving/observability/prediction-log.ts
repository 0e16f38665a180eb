/**
 * The lines of the prediction log and the feedback log (docs/serving.md, "Prediction log"): one
 * JSON object per line. Monitoring reads these files; their format is a contract. They are
 * written by the log thread (log-writer.ts, log-worker.ts).
 *
 * predictions-*.jsonl: {"ts", "request_id", "model", "model_uri", "model_version", "role",
 *   "protocol", "latency_ms", "rows", "inputs", "outputs"} or, when the model failed, "error"
 *   instead of "outputs".
 * feedback-*.jsonl: {"ts", "request_id", "model", "ground_truth"}.
 */
// The narrow module, not models/index.js: this file runs in the log thread, which should load little.
import { tensorToNested } from '../../../models/input-example.js'
import { rowValue } from '../protocols/output-format.js'
import type { ModelInput, ModelOrigin, OutputTensor, Prediction } from '../types.js'

export type Role = 'primary' | 'canary' | 'shadow'
export type Protocol = 'mlflow' | 'oip' | 'predict'

export interface PredictionRecord {
  ts: number
  requestId: string
  origin: ModelOrigin
  role: Role
  protocol: Protocol
  latencyMs: number
  input: ModelInput
  prediction?: Prediction
  error?: string
}

/** JSON.stringify's replacer: bigints as numbers, bytes as base64, at any depth (dates, NaN: its own). */
function plain(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v
}

/** One column or output as JSON text. Typed arrays go through JSON.stringify natively (NaN → null). */
function columnJson(values: ArrayLike<unknown>): string {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return JSON.stringify(Array.from(values, Number))
  }
  if (ArrayBuffer.isView(values)) return JSON.stringify(Array.from(values))
  return JSON.stringify(values, plain)
}

function inputsJson(input: ModelInput): string {
  let s = '{'
  if (input.kind === 'columns') {
    for (const [k, v] of Object.entries(input.columns))
      s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${columnJson(v)}`
  } else {
    for (const [k, t] of Object.entries(input.tensors)) {
      s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(tensorToNested(t))}`
    }
  }
  return s + '}'
}

/** Each output as one value per row (a list per row for [rows, k] outputs). */
function outputJson(o: OutputTensor, rows: number): string {
  if (o.shape[0] !== rows || (o.shape.length === 1 && o.dtype !== 'bool')) return columnJson(o.data)
  if (o.shape.length === 2 && ArrayBuffer.isView(o.data) && o.dtype !== 'bool') {
    const k = o.shape[1]!
    const data = o.data as ArrayLike<number | bigint>
    const out = new Array<number[]>(rows)
    for (let r = 0; r < rows; r++) {
      const row = new Array<number>(k)
      for (let i = 0; i < k; i++) row[i] = Number(data[r * k + i])
      out[r] = row
    }
    return JSON.stringify(out)
  }
  return JSON.stringify(
    Array.from({ length: rows }, (_, r) => rowValue(o, r)),
    plain,
  )
}

export function predictionLine(r: PredictionRecord): string {
  const o = r.origin
  let s =
    `{"ts":"${new Date(r.ts).toISOString()}","request_id":${JSON.stringify(r.requestId)},` +
    `"model":${JSON.stringify(o.name)},"model_uri":${JSON.stringify(o.uri)},"model_version":${JSON.stringify(o.version)},` +
    `"role":"${r.role}","protocol":"${r.protocol}","latency_ms":${Math.round(r.latencyMs * 1000) / 1000},` +
    `"rows":${r.input.rows},"inputs":${inputsJson(r.input)}`
  if (r.prediction) {
    s += ',"outputs":{'
    r.prediction.outputs.forEach((out, i) => {
      s += `${i > 0 ? ',' : ''}${JSON.stringify(out.name)}:${outputJson(out, r.prediction!.rows)}`
    })
    s += '}'
  }
  if (r.error !== undefined) s += `,"error":${JSON.stringify(r.error)}`
  return s + '}'
}

export interface FeedbackRecord {
  ts: number
  requestId: string
  model: string
  groundTruth: unknown
}

export function feedbackLine(f: FeedbackRecord): string {
  return JSON.stringify({
    ts: new Date(f.ts).toISOString(),
    request_id: f.requestId,
    model: f.model,
    ground_truth: f.groundTruth,
  })
}

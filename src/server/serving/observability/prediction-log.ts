/**
 * The prediction log and the feedback log of one served model (docs/serving.md, "Prediction
 * log"): one JSON object per line, written by JsonlLog off the request path. Monitoring reads
 * these files; their format is a contract.
 *
 * predictions-*.jsonl: {"ts", "request_id", "model", "model_uri", "model_version", "role",
 *   "protocol", "latency_ms", "rows", "inputs", "outputs"} or, when the model failed, "error"
 *   instead of "outputs".
 * feedback-*.jsonl: {"ts", "request_id", "model", "ground_truth"}.
 */
import { tensorToNested } from '../../../models/index.js'
import { rowValue } from '../protocols/output-format.js'
import type { ModelInput, ModelOrigin, Prediction } from '../types.js'
import { JsonlLog, type JsonlLogOptions } from './jsonl-log.js'

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

function jsonColumn(values: ArrayLike<unknown>): unknown[] {
  const out = new Array<unknown>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out[i] =
      typeof v === 'bigint'
        ? Number(v)
        : v instanceof Uint8Array
          ? Buffer.from(v).toString('base64')
          : typeof v === 'number' && !Number.isFinite(v)
            ? null
            : v
  }
  return out
}

function inputsJson(input: ModelInput): Record<string, unknown> {
  if (input.kind === 'columns') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(input.columns)) out[k] = jsonColumn(v)
    return out
  }
  return Object.fromEntries(Object.entries(input.tensors).map(([k, t]) => [k, tensorToNested(t)]))
}

function outputsJson(p: Prediction): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const o of p.outputs) {
    out[o.name] =
      o.shape[0] === p.rows ? Array.from({ length: p.rows }, (_, r) => rowValue(o, r)) : jsonColumn(o.data)
  }
  return out
}

export function predictionLine(r: PredictionRecord): string {
  return JSON.stringify({
    ts: new Date(r.ts).toISOString(),
    request_id: r.requestId,
    model: r.origin.name,
    model_uri: r.origin.uri,
    model_version: r.origin.version,
    role: r.role,
    protocol: r.protocol,
    latency_ms: Math.round(r.latencyMs * 1000) / 1000,
    rows: r.input.rows,
    inputs: inputsJson(r.input),
    ...(r.prediction ? { outputs: outputsJson(r.prediction) } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  })
}

export interface LogLimits {
  dir: string
  maxFileBytes: number
  maxTotalBytes: number
}

/** The two logs of one served model. */
export class PredictionLog {
  private readonly predictions: JsonlLog
  private readonly feedback: JsonlLog

  constructor(limits: LogLimits, hooks: Pick<JsonlLogOptions, 'onDrop' | 'onError'> = {}) {
    this.predictions = new JsonlLog({ ...limits, ...hooks, prefix: 'predictions' })
    this.feedback = new JsonlLog({ ...limits, ...hooks, prefix: 'feedback' })
  }

  record(r: PredictionRecord): void {
    this.predictions.append(() => predictionLine(r))
  }

  recordFeedback(f: { ts: number; requestId: string; model: string; groundTruth: unknown }): void {
    this.feedback.append(() =>
      JSON.stringify({
        ts: new Date(f.ts).toISOString(),
        request_id: f.requestId,
        model: f.model,
        ground_truth: f.groundTruth,
      }),
    )
  }

  async flush(): Promise<void> {
    await Promise.all([this.predictions.flush(), this.feedback.flush()])
  }

  async close(): Promise<void> {
    await Promise.all([this.predictions.close(), this.feedback.close()])
  }
}

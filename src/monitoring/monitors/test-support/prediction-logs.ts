/**
 * Prediction and feedback log files for monitor tests, in serving's line format
 * (src/server/serving/observability/prediction-log.ts) and file naming (`<prefix>-<UTC stamp>-<n>.jsonl`).
 * For tests only.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface LoggedRequest {
  ts: number
  requestId: string
  inputs: Record<string, unknown[]>
  outputs?: Record<string, unknown[]>
  model?: string
  role?: string
  version?: string | null
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '')

export function predictionLine(r: LoggedRequest): string {
  const rows = Object.values(r.inputs)[0]?.length ?? 0
  return JSON.stringify({
    ts: new Date(r.ts).toISOString(),
    request_id: r.requestId,
    model: r.model ?? 'm',
    model_uri: 'models:/m@champion',
    model_version: r.version ?? '1',
    role: r.role ?? 'primary',
    protocol: 'mlflow',
    latency_ms: 1.5,
    rows,
    inputs: r.inputs,
    ...(r.outputs ? { outputs: r.outputs } : { error: 'model failed' }),
  })
}

/** Writes one file of `prefix` opened at `opened` (its name's stamp) holding `lines`. */
export function writeLogFile(
  dir: string,
  prefix: 'predictions' | 'feedback',
  opened: number,
  lines: string[],
  n = 1,
): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${prefix}-${stamp(opened)}-${n}.jsonl`)
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''))
  return file
}

export function feedbackLine(ts: number, requestId: string, groundTruth: unknown, model = 'm'): string {
  return JSON.stringify({
    ts: new Date(ts).toISOString(),
    request_id: requestId,
    model,
    ground_truth: groundTruth,
  })
}

/** A wire run's tags as an object. */
export function tagsOf(run: { data: { tags?: { key: string; value: string }[] } }): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]))
}

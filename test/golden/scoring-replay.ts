/**
 * The recorded exchanges with MLflow 2.10.2's scoring server (fixtures/scoring.json, copied
 * unchanged from ../shared/reference/mlflow-golden): their format, and sending one case as
 * recorded (`{_raw}` bodies verbatim, `{_raw_hex}` as bytes, the recorded Content-Type or none).
 */
import { readFileSync } from 'node:fs'
import type { OutgoingRequest } from './replay.js'
import type { GoldenCase } from './transcript.js'

export interface ScoringCase extends Omit<GoldenCase, 'query'> {
  request_content_type: string | null
}

export interface ScoringTranscript {
  server: string
  model: string
  cases: ScoringCase[]
}

export function loadScoring(): ScoringTranscript {
  return JSON.parse(
    readFileSync(new URL('./fixtures/scoring.json', import.meta.url), 'utf8'),
  ) as ScoringTranscript
}

/** The case as a GoldenCase, for the shared expectation and comparison code. */
export const asGolden = (c: ScoringCase): GoldenCase => ({ ...c, query: null })

export function scoringRequest(c: ScoringCase): OutgoingRequest {
  const headers: Record<string, string> = {}
  let body: Buffer | null = null
  const sent = c.body
  if (sent !== null && sent !== undefined) {
    const raw = sent as { _raw?: unknown; _raw_hex?: unknown }
    if (typeof raw._raw_hex === 'string') body = Buffer.from(raw._raw_hex, 'hex')
    else if (typeof raw._raw === 'string') body = Buffer.from(raw._raw, 'utf8')
    else body = Buffer.from(JSON.stringify(sent), 'utf8')
    headers['Content-Length'] = String(body.length)
  }
  if (c.request_content_type !== null) headers['Content-Type'] = c.request_content_type
  return { method: c.method, target: c.path, headers, body }
}

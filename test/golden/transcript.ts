/**
 * The recorded MLflow 2.10.2 transcripts (test/golden/fixtures, copied unchanged from
 * ../shared/reference/mlflow-golden). Their README describes the format; this file only types it.
 */
import { readFileSync } from 'node:fs'

/** The files in scenario order: later files use experiments and runs created by earlier ones. */
export const SCENARIO = ['misc', 'experiments', 'runs', 'artifacts', 'registry'] as const
export type TranscriptFile = (typeof SCENARIO)[number]

/** Every file is replayed, in scenario order. */
export const REPLAYED_FILES = SCENARIO

/** A query string: an object (a list value repeats the key), or `{_raw}` sent verbatim. */
export type GoldenQuery = Record<string, string | string[]> | { _raw: string } | null

export interface GoldenCase {
  name: string
  method: string
  path: string
  query: GoldenQuery
  /** A JSON value sent as application/json, `{_raw}` sent verbatim, or null for no body. */
  body: unknown
  /** Present when the Content-Type sent is not application/json (null: no header). */
  request_content_type?: string | null
  status: number
  content_type: string
  /** The parsed JSON answer, or `{_raw: text}` when the body was not JSON. */
  response: unknown
  notes: string
  headers?: Record<string, string | null>
  response_text?: string
}

export interface Transcript {
  server: string
  area: string
  cases: GoldenCase[]
}

export function loadTranscript(file: TranscriptFile): Transcript {
  const url = new URL(`./fixtures/${file}.json`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as Transcript
}

export function isRaw(v: unknown): v is { _raw: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { _raw?: unknown })._raw === 'string'
  )
}

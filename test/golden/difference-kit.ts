/**
 * How a documented difference turns MLflow's recorded answer into the answer Cairn must give, and
 * the edits the table uses for answers that differ only in part (state left behind by an earlier
 * difference: a run that kept its NaN, a tag that was deleted).
 */
import type { Expectation } from './compare.js'
import { bodyOf, recordedExpectation, type TranscriptRequest } from './replay.js'
import type { GoldenCase } from './transcript.js'

/** A request the harness sends after a case so the scenario goes on as recorded. */
export interface FollowUp {
  why: string
  request: TranscriptRequest
  expect: Expectation
}

export interface Difference {
  /** One line: why Cairn answers differently. */
  reason: string
  status?: number
  /** Cairn answers a JSON error with this code (media type application/json). */
  errorCode?: string
  mediaType?: string
  /** Cairn's whole answer in transcript form (placeholders allowed; `{_raw}` for text). */
  response?: unknown
  /** Edits MLflow's recorded answer (a copy) into Cairn's, for answers that differ in part. */
  patch?: (recorded: any) => unknown
  /** Replaces the recorded headers to check. */
  headers?: Record<string, string | null>
  layout?: 'compact'
  followUps?: (c: GoldenCase) => FollowUp[]
}

/** The expectation for a case: MLflow's answer, or Cairn's documented one. */
export function applyDifference(c: GoldenCase, d: Difference | undefined): Expectation {
  const exp = recordedExpectation(c)
  if (!d) return exp
  if (d.status !== undefined) exp.status = d.status
  if (d.errorCode !== undefined) {
    exp.body = { kind: 'error', code: d.errorCode }
    exp.mediaType = 'application/json'
  } else if (d.response !== undefined) {
    exp.body = bodyOf(d.response)
  } else if (d.patch) {
    exp.body = bodyOf(d.patch(structuredClone(c.response)))
  }
  if (d.mediaType !== undefined) exp.mediaType = d.mediaType
  if (d.headers !== undefined) exp.headers = d.headers
  if (d.layout !== undefined) exp.layout = d.layout
  return exp
}

/** Applies `edit` to every run object (`{info, data, ...}`) of the given run in a JSON value. */
export function editRuns(value: unknown, runId: string, edit: (run: any) => void): unknown {
  if (Array.isArray(value)) value.forEach((v) => editRuns(v, runId, edit))
  else if (typeof value === 'object' && value !== null) {
    const v = value as { info?: { run_id?: unknown }; data?: unknown }
    if (v.info?.run_id === runId && v.data !== undefined) edit(v)
    else for (const x of Object.values(value)) editRuns(x, runId, edit)
  }
  return value
}

/** Applies `edit` to every experiment object of the given experiment in a JSON value. */
export function editExperiments(value: unknown, experimentId: string, edit: (exp: any) => void): unknown {
  const list = (value as { experiments?: { experiment_id: string }[] } | null)?.experiments ?? []
  for (const e of list) if (e.experiment_id === experimentId) edit(e)
  return value
}

export function withoutTag(holder: { tags?: { key: string }[] }, key: string): void {
  if (!holder.tags) return
  holder.tags = holder.tags.filter((t) => t.key !== key)
  if (holder.tags.length === 0) delete holder.tags
}

/** Runs two edits in order. */
export function both(a: Difference['patch'], b: Difference['patch']): Difference['patch'] {
  if (!a) return b
  if (!b) return a
  return (v) => b(a(v))
}

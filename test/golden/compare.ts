/**
 * Comparing one answer with the expected one, as the transcripts' README says: HTTP status; media
 * type; for JSON errors the error_code (never the message); for other JSON bodies field names,
 * JSON types, which fields are present, array order and every value that is not a placeholder; for
 * HTML pages status and media type only; for other raw bodies the text; the recorded headers.
 *
 * Not compared: Content-Length and Transfer-Encoding (message framing: a download may be sent with
 * a length or chunked, and any HTTP client reads both), and the order of the methods in `Allow`.
 */
import type { Bindings } from './bindings.js'
import { hasPlaceholder } from './bindings.js'

export type ExpectedBody =
  | { kind: 'error'; code: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'html' }
  | { kind: 'text'; text: string }

export interface Expectation {
  status: number
  /** Media type without parameters, lower case. */
  mediaType: string
  body: ExpectedBody
  headers?: Record<string, string | null>
  /** `pretty`: the body spans several lines (MLflow's indent 2); `compact`: one line. */
  layout?: 'pretty' | 'compact'
  /** The recording re-sorted per-run groups by placeholder number (get-history-bulk); do the same. */
  sortRunGroups?: boolean
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export function mediaType(contentType: string | undefined | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

/** Deep comparison of a recorded JSON value (with placeholders) and an actual one. */
export function compareJson(
  expected: unknown,
  actual: unknown,
  at: string,
  b: Bindings,
  out: string[],
): void {
  if (typeof expected === 'string' && hasPlaceholder(expected)) {
    if (expected === '<TS>') {
      if (typeof actual !== 'number' || !Number.isInteger(actual))
        out.push(`${at}: expected an integer timestamp, got ${JSON.stringify(actual)}`)
      return
    }
    if (typeof actual !== 'string' || !b.match(expected, actual)) {
      out.push(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    }
    return
  }
  if (jsonType(expected) !== jsonType(actual)) {
    out.push(
      `${at}: expected ${jsonType(expected)} ${short(expected)}, got ${jsonType(actual)} ${short(actual)}`,
    )
    return
  }
  if (Array.isArray(expected)) {
    const got = actual as unknown[]
    if (got.length !== expected.length)
      out.push(`${at}: expected ${expected.length} items, got ${got.length}`)
    for (let i = 0; i < Math.min(expected.length, got.length); i++)
      compareJson(expected[i], got[i], `${at}[${i}]`, b, out)
    return
  }
  if (typeof expected === 'object' && expected !== null) {
    const e = expected as Record<string, unknown>
    const a = actual as Record<string, unknown>
    for (const k of Object.keys(e)) {
      if (!(k in a)) out.push(`${at}.${k}: missing`)
      else compareJson(e[k], a[k], `${at}.${k}`, b, out)
    }
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${at}.${k}: unexpected field (${short(a[k])})`)
    return
  }
  if (expected !== actual) out.push(`${at}: expected ${short(expected)}, got ${short(actual)}`)
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 120 ? `${s.slice(0, 120)}…` : s
}

function header(a: Answer, name: string): string | undefined {
  const v = a.headers[name.toLowerCase()]
  return Array.isArray(v) ? v.join(', ') : v
}

const FRAMING = new Set(['content-length', 'transfer-encoding'])

function compareHeaders(
  expected: Record<string, string | null>,
  a: Answer,
  b: Bindings,
  out: string[],
): void {
  for (const [name, value] of Object.entries(expected)) {
    const lower = name.toLowerCase()
    if (FRAMING.has(lower)) continue
    const got = header(a, name)
    if (value === null) {
      if (got !== undefined) out.push(`header ${name}: expected absent, got ${got}`)
    } else if (got === undefined) {
      out.push(`header ${name}: missing (expected ${value})`)
    } else if (lower === 'allow') {
      const set = (s: string): string =>
        s
          .split(',')
          .map((x) => x.trim())
          .sort()
          .join(', ')
      if (set(value) !== set(got)) out.push(`header Allow: expected ${value}, got ${got}`)
    } else if (lower === 'content-type') {
      if (mediaType(value) !== mediaType(got)) out.push(`header Content-Type: expected ${value}, got ${got}`)
    } else if (!b.match(value, got)) {
      out.push(`header ${name}: expected ${value}, got ${got}`)
    }
  }
}

/** Puts per-run groups in the order of their placeholders (`<RUN_1>` first), keeping order within a run. */
function sortRunGroups(value: unknown, b: Bindings): unknown {
  const metrics = (value as { metrics?: { run_id?: string }[] } | null)?.metrics
  if (!Array.isArray(metrics)) return value
  const rank = (m: { run_id?: string }): number =>
    Number(b.nameOf(m.run_id ?? '')?.replace(/^RUN_/, '') ?? Infinity)
  return {
    ...(value as object),
    metrics: metrics
      .map((m, i) => ({ m, i }))
      .sort((x, y) => rank(x.m) - rank(y.m) || x.i - y.i)
      .map((x) => x.m),
  }
}

/** Every way the answer differs from the expectation; empty when it matches. */
export function compareAnswer(exp: Expectation, a: Answer, b: Bindings): string[] {
  const out: string[] = []
  if (a.status !== exp.status) out.push(`status: expected ${exp.status}, got ${a.status}`)
  const gotType = mediaType(header(a, 'content-type'))
  if (gotType !== exp.mediaType)
    out.push(`media type: expected ${exp.mediaType || '(none)'}, got ${gotType || '(none)'}`)
  if (exp.headers) compareHeaders(exp.headers, a, b, out)
  const body = exp.body
  if (body.kind === 'html') return out
  if (body.kind === 'text') {
    if (!b.match(body.text, a.text)) out.push(`body: expected ${short(body.text)}, got ${short(a.text)}`)
    return out
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(a.text)
  } catch {
    out.push(`body is not JSON: ${short(a.text)}`)
    return out
  }
  if (exp.layout === 'pretty' && !a.text.includes('\n'))
    out.push('layout: expected a pretty-printed body, got one line')
  if (exp.layout === 'compact' && a.text.includes('\n'))
    out.push('layout: expected a one-line body, got several lines')
  if (body.kind === 'error') {
    const e = parsed as { error_code?: unknown; message?: unknown } | null
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      out.push(`expected an error object, got ${short(parsed)}`)
    else {
      if (e.error_code !== body.code)
        out.push(`error_code: expected ${body.code}, got ${short(e.error_code)}`)
      if (typeof e.message !== 'string') out.push('error: message missing')
      const extra = Object.keys(e).filter((k) => k !== 'error_code' && k !== 'message')
      if (extra.length > 0) out.push(`error: unexpected fields ${extra.join(', ')}`)
    }
    return out
  }
  compareJson(body.value, exp.sortRunGroups ? sortRunGroups(parsed, b) : parsed, 'body', b, out)
  return out
}

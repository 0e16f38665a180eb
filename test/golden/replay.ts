/**
 * Replays recorded MLflow cases against one server, in order, as the transcripts' README says:
 * placeholders are bound on first sight and filled into later paths, queries and bodies; queries
 * and bodies are sent exactly as recorded (`{_raw}` verbatim, with the recorded Content-Type).
 *
 * Requests go through node:http rather than fetch so that GET bodies, a missing Content-Type and
 * paths with `..` are sent as recorded (fetch refuses the first and rewrites the others).
 */
import { request } from 'node:http'
import { Bindings } from './bindings.js'
import { compareAnswer, compareJson, mediaType, type Answer, type Expectation } from './compare.js'
import { isRaw, type GoldenCase, type GoldenQuery } from './transcript.js'

export interface OutgoingRequest {
  method: string
  /** Path and query string, ready for the request line. */
  target: string
  headers: Record<string, string>
  body: Buffer | null
}

/** A request the harness sends in transcript form (placeholders unfilled). */
export interface TranscriptRequest {
  method: string
  path: string
  query?: GoldenQuery
  body?: unknown
}

const JSON_NUMBER_NOTE = 'stands for a JSON number'

/** `"<EXP_4>"` → 4 where the recording sent the id as a JSON number. */
function numbersForIds(value: unknown, b: Bindings): unknown {
  if (typeof value === 'string' && /^<EXP_\d+>$/.test(value)) return Number(b.fill(value))
  if (Array.isArray(value)) return value.map((v) => numbersForIds(v, b))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numbersForIds(v, b)]))
  }
  return value
}

function fillJson(value: unknown, b: Bindings): unknown {
  if (typeof value === 'string') return b.fill(value)
  if (Array.isArray(value)) return value.map((v) => fillJson(v, b))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, b)]))
  }
  return value
}

function queryString(query: GoldenQuery | undefined, b: Bindings): string {
  if (query === null || query === undefined) return ''
  if (isRaw(query)) return b.fill(query._raw)
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query))
    for (const x of Array.isArray(v) ? v : [v]) qs.append(k, b.fill(x))
  return qs.toString()
}

export function buildRequest(c: GoldenCase | TranscriptRequest, b: Bindings): OutgoingRequest {
  const qs = queryString(c.query, b)
  const target = b.fill(c.path) + (qs === '' ? '' : `?${qs}`)
  const headers: Record<string, string> = {}
  let body: Buffer | null = null
  const sent = c.body ?? null
  if (sent !== null) {
    if (isRaw(sent)) body = Buffer.from(b.fill(sent._raw), 'utf8')
    else {
      const notes = 'notes' in c ? c.notes : ''
      const value = notes.includes(JSON_NUMBER_NOTE) ? numbersForIds(sent, b) : sent
      body = Buffer.from(JSON.stringify(fillJson(value, b)), 'utf8')
    }
    const declared = 'request_content_type' in c ? c.request_content_type : 'application/json'
    if (declared !== null && declared !== undefined) headers['Content-Type'] = declared
    headers['Content-Length'] = String(body.length)
  }
  return { method: c.method, target, headers, body }
}

export function send(baseUrl: string, r: OutgoingRequest): Promise<Answer> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.target,
        headers: r.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(r.body ?? undefined)
  })
}

/** What MLflow answered, as an expectation. */
export function recordedExpectation(c: GoldenCase): Expectation {
  const exp: Expectation = {
    status: c.status,
    mediaType: mediaType(c.content_type),
    body: bodyOf(c.response),
  }
  if (c.headers) exp.headers = c.headers
  if (c.response_text !== undefined) exp.layout = c.response_text.includes('\n') ? 'pretty' : 'compact'
  if (c.notes.includes('re-sorts groups by placeholder')) exp.sortRunGroups = true
  return exp
}

export function bodyOf(response: unknown): Expectation['body'] {
  if (isRaw(response)) {
    return /^\s*<!doctype html/i.test(response._raw)
      ? { kind: 'html' }
      : { kind: 'text', text: response._raw }
  }
  const code = (response as { error_code?: unknown } | null)?.error_code
  if (typeof code === 'string') return { kind: 'error', code }
  return { kind: 'json', value: response }
}

export class Replayer {
  readonly bindings: Bindings

  constructor(
    readonly baseUrl: string,
    suffix: string,
  ) {
    this.bindings = new Bindings({ suffix, user: 'golden-user', baseUrl })
  }

  /** Sends one case and returns every way the answer differs from `expected` (empty: it matches). */
  async replay(c: GoldenCase | TranscriptRequest, expected: Expectation): Promise<string[]> {
    let outgoing: OutgoingRequest
    try {
      outgoing = buildRequest(c, this.bindings)
    } catch (err) {
      return [`cannot send: ${(err as Error).message}`]
    }
    const answer = await send(this.baseUrl, outgoing)
    return compareAnswer(expected, answer, this.bindings)
  }

  /** Binds placeholders from a value without reporting (used by tests of the harness itself). */
  bind(recorded: unknown, actual: unknown): string[] {
    const out: string[] = []
    compareJson(recorded, actual, 'value', this.bindings, out)
    return out
  }
}

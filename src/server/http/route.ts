/**
 * defineRoute: one row of an endpoint table becomes a handler. This is where requests are read
 * (query string or JSON body, with MLflow's rules), validated against the row's message, and
 * where answers are serialized. Handlers see typed messages and return wire objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Endpoint } from '../../protocol/endpoint.js'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import { repeatedFields, type AnyMessageSchema, type Infer } from '../../protocol/fields.js'
import type { Logger } from '../logging.js'
import { readBody } from './body.js'
import { parseJsonLenient } from './json.js'

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  method: string
  path: string
  query: URLSearchParams
  /** The query string as sent, without the '?'. */
  rawQuery: string
  /** The part of the path after a prefix route's prefix. */
  rest: string
  log: Logger
  maxJsonBytes: number
}

/** An answer the handler writes itself (downloads, streamed JSON). */
export class RawAnswer {
  constructor(readonly write: (res: ServerResponse) => Promise<void>) {}
}

export type Handler = (ctx: RequestContext) => Promise<unknown>

type AnySchema = AnyMessageSchema

const JSON_TYPE = /^application\/json\s*(;|$)/

/** A JSON object from the request body; "" is {}. Content-Type must be JSON when a body is sent. */
export async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const text = await readBody(ctx.req, ctx.maxJsonBytes)
  if (text.trim() === '') return {}
  const type = ctx.req.headers['content-type']
  if (type === undefined) throw invalidParameter('Bad Request. Content-Type header is missing.')
  if (!JSON_TYPE.test(type)) {
    throw invalidParameter("Bad Request. Content-Type must be one of ['application/json'].")
  }
  let value: unknown
  try {
    value = parseJsonLenient(text)
    // Older MLflow clients double-encode: a JSON string holding the JSON object.
    if (typeof value === 'string') value = parseJsonLenient(value)
  } catch (err) {
    throw invalidParameter(`Malformed JSON in request body: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(
      `Request body must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
    )
  }
  return value as Record<string, unknown>
}

/**
 * Refuses query strings that only parse by guessing: a parameter without '=' or with a second,
 * unencoded '=' in its value. MLflow answers both with an HTML 500 page; Cairn says what is wrong.
 */
export function checkQueryString(raw: string): void {
  for (const part of raw.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq === -1) {
      throw invalidParameter(
        `Malformed query string: parameter '${safeDecode(part)}' has no '=' and no value.`,
      )
    }
    if (part.indexOf('=', eq + 1) !== -1) {
      throw invalidParameter(
        `Malformed query string: the value of '${safeDecode(part.slice(0, eq))}' contains an unencoded '='; send it as %3D.`,
      )
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '))
  } catch {
    return s
  }
}

/** Query parameters as a message input: repeated fields keep every value, others must be given once. */
function queryObject(query: URLSearchParams, schema: AnySchema): Record<string, unknown> {
  const repeated = repeatedFields(schema)
  const out: Record<string, unknown> = {}
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key)
    if (repeated.has(key)) out[key] = all
    else if (all.length > 1) {
      throw invalidParameter(`Parameter '${key}' was given ${all.length} times; it takes one value.`)
    } else out[key] = all[0]
  }
  return out
}

/**
 * The request message: GET reads the query string, and (as MLflow does) a JSON body when the
 * query string is empty; other methods read the JSON body.
 */
export async function readMessage<S extends AnySchema>(
  ctx: RequestContext,
  schema: S,
): Promise<Infer<S['shape']>> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    if (ctx.rawQuery !== '') {
      checkQueryString(ctx.rawQuery)
      return schema.parse(queryObject(ctx.query, schema), 'query')
    }
    const body = ctx.method === 'GET' ? await readJsonObject(ctx) : {}
    return schema.parse(body, 'json')
  }
  return schema.parse(await readJsonObject(ctx), 'json')
}

export interface RouteDef {
  methods: readonly string[]
  paths: string[]
  handler: Handler
  prefix?: boolean
}

const API_PREFIXES = ['/api/2.0', '/ajax-api/2.0'] as const

/** Paths an endpoint row is served at. */
export function mountPaths(endpoint: Endpoint): string[] {
  return endpoint.ajaxOnly ? [`/ajax-api/2.0${endpoint.path}`] : API_PREFIXES.map((p) => p + endpoint.path)
}

export function defineRoute<S extends AnySchema, R>(
  endpoint: Endpoint<S, R>,
  handle: (msg: Infer<S['shape']>, ctx: RequestContext) => Promise<R | RawAnswer>,
): RouteDef {
  return {
    methods: endpoint.methods,
    paths: mountPaths(endpoint),
    handler: async (ctx) => handle(await readMessage(ctx, endpoint.request), ctx),
  }
}

export function isCairn(err: unknown): err is CairnError {
  return err instanceof CairnError
}

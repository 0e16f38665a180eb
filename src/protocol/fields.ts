/**
 * Request messages declared like MLflow's protos and parsed with MLflow's rules.
 *
 * A message is a table of fields. Parsing accepts what proto3 JSON accepts (int64 as a number or
 * a decimal string, doubles as numbers or "NaN"/"Infinity"/numeric strings, enums by name or
 * number) and, for GET requests, query-string values. Failures carry MLflow's messages:
 * "Missing value for required parameter 'x'" and "Invalid value v for parameter 'x' supplied".
 * Unknown fields are ignored, as MLflow does.
 */
import { CairnError } from './errors.js'

export type Source = 'json' | 'query'

export interface Field<T> {
  readonly required: boolean
  /** Parse a present (non-null) value. Throws CairnError. */
  parse(value: unknown, name: string, source: Source): T
  /** Value used when the field is absent and not required. */
  readonly fallback: T
}

export type Shape = Record<string, Field<unknown>>
export type Infer<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never }

const SEE_DOCS = 'See the API docs for more information about request parameters.'

/** Python's name for a JSON value's type, as MLflow prints it in hints. */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'str'
  if (Array.isArray(v)) return 'list'
  return 'dict'
}

function show(v: unknown): string {
  if (typeof v === 'string') return v
  const s = JSON.stringify(v)
  return s.length > 200 ? `${s.slice(0, 200)}…` : s
}

export function invalidValue(name: string, value: unknown, detail?: string): CairnError {
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value ${show(value)} for parameter '${name}' supplied. Hint: Value was of type '${pyType(value)}'.` +
      (detail ? ` ${detail}` : '') +
      ` ${SEE_DOCS}`,
  )
}

export function missingValue(name: string): CairnError {
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Missing value for required parameter '${name}'. ${SEE_DOCS}`,
  )
}

interface Opts {
  required?: boolean
}

function field<T>(required: boolean, fallback: T, parse: Field<T>['parse']): Field<T> {
  return { required, fallback, parse }
}

export function string(opts: Opts = {}): Field<string> {
  return field(opts.required ?? false, '', (v, name) => {
    if (typeof v !== 'string') throw invalidValue(name, v)
    return v
  })
}

/** An optional string that stays `undefined` when absent (to tell "unset" from ""). */
export function optionalString(): Field<string | undefined> {
  return field<string | undefined>(false, undefined, (v, name) => {
    if (typeof v !== 'string') throw invalidValue(name, v)
    return v
  })
}

/**
 * An experiment id. MLflow's ids are strings, but its server stringifies JSON integers before
 * parsing, so `{"experiment_id": 4}` is accepted (MLflow clients send numbers).
 */
export function experimentId(opts: Opts = {}): Field<string> {
  return field(opts.required ?? false, '', (v, name) => {
    if (typeof v === 'string') return v
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
    throw invalidValue(name, v)
  })
}

const INT_RE = /^-?\d+$/

function toInteger(v: unknown, name: string, min: number, max: number): number {
  let n: number
  if (typeof v === 'number') n = v
  else if (typeof v === 'string' && INT_RE.test(v.trim())) n = Number(v.trim())
  else throw invalidValue(name, v)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalidValue(name, v)
  return n
}

/** int64 (timestamps, steps). JavaScript numbers hold integers exactly up to 2^53. */
export function int64(opts: Opts & { fallback?: number } = {}): Field<number> {
  return field(opts.required ?? false, opts.fallback ?? 0, (v, name) =>
    toInteger(v, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  )
}

export function optionalInt64(): Field<number | undefined> {
  return field<number | undefined>(false, undefined, (v, name) =>
    toInteger(v, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  )
}

export function optionalInt32(): Field<number | undefined> {
  return field<number | undefined>(false, undefined, (v, name) => toInteger(v, name, -(2 ** 31), 2 ** 31 - 1))
}

const NUMERIC_RE = /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)\s*$/

/** A double: numbers, the proto3 JSON spellings "NaN", "Infinity", "-Infinity", and numeric strings. */
export function double(opts: Opts = {}): Field<number> {
  return field(opts.required ?? false, 0, (v, name) => {
    if (typeof v === 'number') return v
    if (typeof v === 'string') {
      if (v === 'NaN') return Number.NaN
      if (v === 'Infinity') return Number.POSITIVE_INFINITY
      if (v === '-Infinity') return Number.NEGATIVE_INFINITY
      if (NUMERIC_RE.test(v)) return Number(v)
    }
    throw invalidValue(name, v)
  })
}

export function bool(opts: Opts & { fallback?: boolean } = {}): Field<boolean> {
  return field(opts.required ?? false, opts.fallback ?? false, (v, name) => {
    if (typeof v === 'boolean') return v
    if (v === 'true' || v === 'True') return true
    if (v === 'false' || v === 'False') return false
    throw invalidValue(name, v)
  })
}

/** A proto enum: accepted by name or by its number (proto3 JSON allows both). */
export function enumOf<const E extends readonly string[]>(
  values: E,
  opts: Opts & { fallback: E[number]; numbers?: Partial<Record<number, E[number]>> },
): Field<E[number]> {
  const byNumber = (n: number): E[number] | undefined => opts.numbers?.[n]
  return field<E[number]>(opts.required ?? false, opts.fallback, (v, name) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v
    const n = typeof v === 'number' ? v : typeof v === 'string' && INT_RE.test(v) ? Number(v) : Number.NaN
    const named = byNumber(n)
    if (named !== undefined) return named
    throw invalidValue(name, v)
  })
}

/** A nested message, e.g. a tag `{key, value}`. */
export function message<S extends Shape>(shape: S, opts: Opts = {}): Field<Infer<S> | undefined> {
  return field<Infer<S> | undefined>(opts.required ?? false, undefined, (v, name, source) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, v)
    return parseShape(shape, v as Record<string, unknown>, source, name)
  })
}

/** A repeated field. In a query string it is the key given several times. */
export function repeated<T>(item: Field<T>, opts: Opts = {}): Field<T[]> {
  return field<T[]>(opts.required ?? false, [], (v, name, source) => {
    let list: unknown[]
    if (Array.isArray(v)) list = v
    else if (source === 'query' && typeof v === 'string') list = [v]
    else throw invalidValue(name, v)
    const out = new Array<T>(list.length)
    for (let i = 0; i < list.length; i++) {
      const x = list[i]
      if (x === null || x === undefined) throw invalidValue(name, v, `Item ${i} is null.`)
      out[i] = item.parse(x, `${name}[${i}]`, source)
    }
    return out
  })
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === ''
}

/**
 * Parses one object against a shape. `path` prefixes names of nested fields so errors point at
 * them (`metrics[3].timestamp`).
 */
function parseShape<S extends Shape>(
  shape: S,
  obj: Record<string, unknown>,
  source: Source,
  path: string | null,
): Infer<S> {
  const out: Record<string, unknown> = {}
  for (const name in shape) {
    const f = shape[name]!
    const v = obj[name]
    const label = path === null ? name : `${path}.${name}`
    if (isMissing(v)) {
      if (f.required) throw missingValue(label)
      // An empty string is still a value for optional string fields (e.g. a tag value "").
      out[name] = v === '' && typeof f.fallback !== 'number' ? f.parse(v, label, source) : f.fallback
    } else {
      out[name] = f.parse(v, label, source)
    }
  }
  return out as Infer<S>
}

export interface MessageSchema<S extends Shape> {
  readonly shape: S
  parse(input: Record<string, unknown>, source: Source): Infer<S>
}

/** Any message schema (for tables of endpoints with different messages). */
export type AnyMessageSchema = MessageSchema<Shape>

export function schema<S extends Shape>(shape: S): MessageSchema<S> {
  return { shape, parse: (input, source) => parseShape(shape, input, source, null) }
}

/** Which fields of a schema are repeated, so query strings can keep every value for them. */
export function repeatedFields(s: MessageSchema<Shape>): Set<string> {
  const out = new Set<string>()
  for (const [name, f] of Object.entries(s.shape)) if (Array.isArray(f.fallback)) out.add(name)
  return out
}

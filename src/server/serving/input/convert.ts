/**
 * Converting request values (JSON or CSV text) to a column's type, as MLflow's schema
 * enforcement does before the model sees them: numbers, `true`/`false` and numeric strings are
 * accepted for numeric columns (MLflow converts with pandas' `astype`). Unlike MLflow, a missing
 * value (null, NaN, an absent key, an empty CSV field) in a required column is refused here with a
 * message naming the column and row, instead of failing inside the model.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { ColumnType } from '../../../models/index.js'

/** Marks a value that is absent (null, undefined, NaN, '' from CSV). */
export const MISSING = Symbol('missing')

const NUMERIC = /^\s*[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)\s*$/i

/** A number, MISSING, or undefined when the value is not numeric. */
export function toNumber(v: unknown): number | typeof MISSING | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? MISSING : v
  if (v === null || v === undefined) return MISSING
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    if (v.trim() === '') return MISSING
    if (!NUMERIC.test(v)) return undefined
    const s = v.trim().toLowerCase().replace(/^\+/, '')
    if (s.endsWith('nan')) return MISSING
    if (s.endsWith('inf') || s.endsWith('infinity')) return s.startsWith('-') ? -Infinity : Infinity
    return Number(s)
  }
  return undefined
}

export const typeName = (t: ColumnType): string => (typeof t === 'string' ? t : t.type)

/** MLflow's numpy names in its conversion messages. */
const NUMPY_NAME: Record<string, string> = {
  double: 'float64',
  float: 'float32',
  long: 'int64',
  integer: 'int32',
  boolean: 'bool',
  string: 'str',
}

export function conversionError(column: string, t: ColumnType, row: number, value: unknown): CairnError {
  const name = typeName(t)
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
  return new CairnError(
    'BAD_REQUEST',
    `Invalid input. Data is not compatible with model signature. Failed to convert column ${column} to type '${NUMPY_NAME[name] ?? name}': ${shown} in row ${row} is not a valid ${name}.`,
  )
}

export function missingValueError(column: string, row: number, value: unknown): CairnError {
  const what = value === undefined ? 'no value' : value === null ? 'null' : JSON.stringify(value)
  return new CairnError(
    'BAD_REQUEST',
    `Invalid input. Column '${column}' has a missing value (${what}) in row ${row}; the model's signature requires a value there (only columns marked "required": false accept missing values).`,
  )
}

export function nonFiniteError(column: string, row: number, value: number): CairnError {
  return new CairnError(
    'BAD_REQUEST',
    `Invalid input. Column '${column}' is ${value} in row ${row}; the model needs finite numbers.`,
  )
}

const INT_RANGE: Record<string, [number, number]> = {
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
}

/** A numeric column as a Float64Array (NaN where an optional value is missing). */
export function numericColumn(
  column: string,
  t: 'double' | 'float' | 'integer' | 'long',
  values: readonly unknown[],
  required: boolean,
): Float64Array {
  const out = new Float64Array(values.length)
  const range = INT_RANGE[t]
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]
    const n = typeof raw === 'number' && raw === raw ? raw : toNumber(raw)
    if (n === undefined) throw conversionError(column, t, i, raw)
    if (n === MISSING) {
      if (required) throw missingValueError(column, i, raw)
      out[i] = NaN
      continue
    }
    if (n === Infinity || n === -Infinity) throw nonFiniteError(column, i, n)
    if (range && (!Number.isInteger(n) || n < range[0] || n > range[1]))
      throw conversionError(column, t, i, raw)
    out[i] = n
  }
  return out
}

const TRUE = new Set(['true', 'True', 'TRUE', '1'])
const FALSE = new Set(['false', 'False', 'FALSE', '0'])

function toBoolean(v: unknown): boolean | typeof MISSING | undefined {
  if (typeof v === 'boolean') return v
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === '') return MISSING
  if (v === 0 || v === 1) return v === 1
  if (typeof v === 'string') return TRUE.has(v.trim()) ? true : FALSE.has(v.trim()) ? false : undefined
  return undefined
}

function toDate(v: unknown): Date | typeof MISSING | undefined {
  if (v === null || v === undefined || v === '') return MISSING
  const d = typeof v === 'number' ? new Date(v) : typeof v === 'string' ? new Date(v) : null
  return d === null || Number.isNaN(d.getTime()) ? undefined : d
}

function toBinary(v: unknown): Uint8Array | typeof MISSING | undefined {
  if (v === null || v === undefined) return MISSING
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/=\s_-]*$/.test(v)) return undefined
  return new Uint8Array(Buffer.from(v, 'base64'))
}

function nested(t: Exclude<ColumnType, string>, v: unknown): unknown {
  if (v === null || v === undefined) return MISSING
  switch (t.type) {
    case 'array':
      return Array.isArray(v) ? v : undefined
    case 'object':
    case 'map':
      return typeof v === 'object' && !Array.isArray(v) ? v : undefined
    case 'any':
      return v
  }
}

/** Any column, converted per docs/models.md (numeric → Float64Array, others → arrays). */
export function convertColumn(
  column: string,
  t: ColumnType,
  values: readonly unknown[],
  required: boolean,
): Float64Array | unknown[] {
  if (t === 'double' || t === 'float' || t === 'integer' || t === 'long') {
    return numericColumn(column, t, values, required)
  }
  const out: unknown[] = new Array<unknown>(values.length)
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]
    let v: unknown
    if (t === 'boolean') v = toBoolean(raw)
    else if (t === 'string')
      v = raw === null || raw === undefined ? MISSING : typeof raw === 'string' ? raw : undefined
    else if (t === 'datetime') v = toDate(raw)
    else if (t === 'binary') v = toBinary(raw)
    else v = nested(t, raw)
    if (v === undefined) throw conversionError(column, t, i, raw)
    if (v === MISSING) {
      if (required) throw missingValueError(column, i, raw)
      v = null
    }
    out[i] = v
  }
  return out
}

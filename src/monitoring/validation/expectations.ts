/**
 * Data expectations per model (format 'cairn.expectations', version 1), inferred from a reference
 * profile and kept as editable YAML. docs/monitoring.md ("Data validation") documents the keys.
 */
import { parseDocument, stringify } from 'yaml'
import { invalidParameter } from '../../protocol/errors.js'
import type { Profile } from '../profile/types.js'

export const EXPECTATIONS_FORMAT = 'cairn.expectations'
export const EXPECTATIONS_VERSION = 1

export interface ColumnExpectations {
  /** 'numerical': every value must be a number; 'categorical': any value (numbers count as text). */
  type?: 'numerical' | 'categorical'
  /** The column must be present (default true). */
  required?: boolean
  min?: number
  max?: number
  /** The only values allowed (compared as text). */
  allowedValues?: (string | number)[]
  /** The largest share of missing values allowed, in [0, 1]. */
  maxMissingShare?: number
  /** No value may appear twice. */
  unique?: boolean
}

export interface Expectations {
  format: typeof EXPECTATIONS_FORMAT
  version: typeof EXPECTATIONS_VERSION
  /** The data must have at least this many rows (default 1). */
  minRows?: number
  /** Columns not listed are allowed (default true). */
  allowExtraColumns?: boolean
  columns: Record<string, ColumnExpectations>
}

export interface InferOptions {
  /** Categorical columns with at most this many categories get allowedValues (default 50). */
  maxAllowedValues?: number
  /** Added to the reference's missing share (default 0: as strict as the reference). */
  missingShareSlack?: number
  /** Widen [min, max] by this fraction of the range on each side (default 0). */
  rangeMargin?: number
  /** Identifier-like categorical columns (all values distinct) need at least this many rows to be marked unique (default 20). */
  minRowsForUnique?: number
}

const roundUp = (x: number, digits = 6): number => Math.ceil(x * 10 ** digits) / 10 ** digits

/**
 * Expectations a reference profile implies: every feature required with its type, numeric ranges
 * as observed, allowed values of low-cardinality categorical columns, the reference's missing
 * share, uniqueness of identifier-like categorical columns. Targets and predictions are optional.
 */
export function inferExpectations(profile: Profile, opts: InferOptions = {}): Expectations {
  const maxAllowed = opts.maxAllowedValues ?? 50
  const slack = opts.missingShareSlack ?? 0
  const margin = opts.rangeMargin ?? 0
  const columns: Record<string, ColumnExpectations> = {}
  for (const c of profile.columns) {
    const e: ColumnExpectations = { type: c.type, required: c.role === 'feature' }
    const n = c.numerical
    if (n && n.min !== null && n.max !== null) {
      const pad = (n.max - n.min) * margin
      e.min = n.min - pad
      e.max = n.max + pad
    }
    const cat = c.categorical
    if (
      cat &&
      cat.otherCount === 0 &&
      cat.categories.length > 0 &&
      cat.categories.length <= maxAllowed &&
      !c.unique
    ) {
      e.allowedValues = cat.categories.map((k) => k.value).sort()
    }
    e.maxMissingShare = Math.min(1, roundUp((c.missingShare ?? 0) + slack))
    if (c.type === 'categorical' && c.unique && c.count - c.missing >= (opts.minRowsForUnique ?? 20))
      e.unique = true
    columns[c.name] = e
  }
  return {
    format: EXPECTATIONS_FORMAT,
    version: EXPECTATIONS_VERSION,
    minRows: 1,
    allowExtraColumns: true,
    columns,
  }
}

const HEADER = `# Cairn data expectations (docs/monitoring.md, "Data validation"). Edit freely:
# per column: type (numerical | categorical), required, min, max, allowedValues,
# maxMissingShare (0..1), unique. Delete a key to drop that expectation.
`

export function serializeExpectations(e: Expectations, comment?: string): string {
  return HEADER + (comment ? `# ${comment.replace(/\n/g, '\n# ')}\n` : '') + stringify(e, { lineWidth: 0 })
}

const COLUMN_KEYS = new Set(['type', 'required', 'min', 'max', 'allowedValues', 'maxMissingShare', 'unique'])
const TOP_KEYS = new Set(['format', 'version', 'minRows', 'allowExtraColumns', 'columns'])

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function checkColumn(name: string, v: unknown, source: string): ColumnExpectations {
  const where = `${source}: columns.${name}`
  if (v === null || v === undefined) return {}
  if (!isObject(v)) throw invalidParameter(`${where} must be a mapping`)
  for (const k of Object.keys(v)) {
    if (!COLUMN_KEYS.has(k))
      throw invalidParameter(`${where}: unknown key '${k}'; known: ${[...COLUMN_KEYS].join(', ')}`)
  }
  if (v.type !== undefined && v.type !== 'numerical' && v.type !== 'categorical') {
    throw invalidParameter(`${where}.type must be numerical or categorical`)
  }
  for (const k of ['min', 'max'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'number')
      throw invalidParameter(`${where}.${k} must be a number`)
  }
  if (typeof v.min === 'number' && typeof v.max === 'number' && v.min > v.max)
    throw invalidParameter(`${where}: min is above max`)
  for (const k of ['required', 'unique'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'boolean')
      throw invalidParameter(`${where}.${k} must be true or false`)
  }
  const share = v.maxMissingShare
  if (share !== undefined && !(typeof share === 'number' && share >= 0 && share <= 1)) {
    throw invalidParameter(`${where}.maxMissingShare must be a number within [0, 1]`)
  }
  const allowed = v.allowedValues
  if (
    allowed !== undefined &&
    !(Array.isArray(allowed) && allowed.every((x) => typeof x === 'string' || typeof x === 'number'))
  ) {
    throw invalidParameter(`${where}.allowedValues must be a list of strings or numbers`)
  }
  return v
}

/** Parses and checks expectations from YAML (or JSON, which is YAML) text or a parsed value. */
export function parseExpectations(input: unknown, source = 'expectations'): Expectations {
  let doc = input
  if (typeof input === 'string') {
    const parsed = parseDocument(input)
    if (parsed.errors.length > 0)
      throw invalidParameter(`${source}: not valid YAML (${parsed.errors[0]!.message})`)
    doc = parsed.toJS() as unknown
  }
  if (!isObject(doc) || doc.format !== EXPECTATIONS_FORMAT) {
    throw invalidParameter(`${source}: not Cairn expectations (format: ${EXPECTATIONS_FORMAT})`)
  }
  if (doc.version !== EXPECTATIONS_VERSION) {
    throw invalidParameter(
      `${source}: expectations version ${String(doc.version)} is not supported (this Cairn reads version ${EXPECTATIONS_VERSION})`,
    )
  }
  for (const k of Object.keys(doc)) {
    if (!TOP_KEYS.has(k))
      throw invalidParameter(`${source}: unknown key '${k}'; known: ${[...TOP_KEYS].join(', ')}`)
  }
  if (doc.minRows !== undefined && !(Number.isInteger(doc.minRows) && (doc.minRows as number) >= 0)) {
    throw invalidParameter(`${source}: minRows must be an integer ≥ 0`)
  }
  if (doc.allowExtraColumns !== undefined && typeof doc.allowExtraColumns !== 'boolean') {
    throw invalidParameter(`${source}: allowExtraColumns must be true or false`)
  }
  if (!isObject(doc.columns)) throw invalidParameter(`${source}: columns must be a mapping of column names`)
  const columns: Record<string, ColumnExpectations> = {}
  for (const [name, v] of Object.entries(doc.columns)) columns[name] = checkColumn(name, v, source)
  return {
    format: EXPECTATIONS_FORMAT,
    version: EXPECTATIONS_VERSION,
    ...(doc.minRows !== undefined ? { minRows: doc.minRows as number } : {}),
    ...(doc.allowExtraColumns !== undefined ? { allowExtraColumns: doc.allowExtraColumns } : {}),
    columns,
  }
}

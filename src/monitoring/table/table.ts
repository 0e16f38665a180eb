/**
 * A small columnar table for monitoring: named columns, numbers as Float64Array with NaN for a
 * missing value, categories dictionary-encoded (Int32Array codes into a string dictionary, -1 for
 * missing). Statistics read these arrays directly; no row objects are ever built.
 */
import { invalidParameter } from '../../protocol/errors.js'

export interface NumericColumn {
  readonly kind: 'numeric'
  readonly name: string
  /** One value per row; NaN marks a missing value (±Infinity is kept as a value but profiles count it). */
  readonly values: Float64Array
}

export interface CategoricalColumn {
  readonly kind: 'categorical'
  readonly name: string
  /** One code per row: an index into `dictionary`, or -1 for a missing value. */
  readonly codes: Int32Array
  /** Distinct values in first-seen order (not sorted). */
  readonly dictionary: readonly string[]
}

export type Column = NumericColumn | CategoricalColumn
export type ColumnKind = Column['kind']

export interface Table {
  readonly rowCount: number
  readonly columns: readonly Column[]
}

/** A column's values as accepted by `tableFromColumns`. */
export type ColumnInput =
  Float64Array | readonly (number | null | undefined)[] | readonly (string | null | undefined)[] | Column

export const MISSING_CODE = -1

export function numericColumn(
  name: string,
  values: Float64Array | ArrayLike<number | null | undefined>,
): NumericColumn {
  if (values instanceof Float64Array) return { kind: 'numeric', name, values }
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out[i] = v === null || v === undefined ? NaN : v
  }
  return { kind: 'numeric', name, values: out }
}

/** Dictionary-encodes strings; null, undefined and '' are missing. */
export function categoricalColumn(
  name: string,
  values: ArrayLike<string | null | undefined>,
): CategoricalColumn {
  const codes = new Int32Array(values.length)
  const index = new Map<string, number>()
  const dictionary: string[] = []
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null || v === undefined || v === '') {
      codes[i] = MISSING_CODE
      continue
    }
    let code = index.get(v)
    if (code === undefined) {
      code = dictionary.length
      dictionary.push(v)
      index.set(v, code)
    }
    codes[i] = code
  }
  return { kind: 'categorical', name, codes, dictionary }
}

export function columnLength(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length
}

/**
 * Builds a table from named columns: Float64Array and arrays of numbers become numeric columns,
 * arrays holding strings become categorical ones. All columns must have the same length.
 */
export function tableFromColumns(columns: Record<string, ColumnInput>): Table {
  const out: Column[] = []
  for (const [name, input] of Object.entries(columns)) {
    if (isColumn(input)) out.push(input.name === name ? input : { ...input, name })
    else if (input instanceof Float64Array) out.push(numericColumn(name, input))
    else if (input.some((v) => typeof v === 'string'))
      out.push(categoricalColumn(name, input as readonly (string | null)[]))
    else out.push(numericColumn(name, input as readonly (number | null)[]))
  }
  return makeTable(out)
}

export function makeTable(columns: readonly Column[]): Table {
  const rowCount = columns.length === 0 ? 0 : columnLength(columns[0]!)
  const seen = new Set<string>()
  for (const c of columns) {
    if (seen.has(c.name)) throw invalidParameter(`Duplicate column name '${c.name}'`)
    seen.add(c.name)
    if (columnLength(c) !== rowCount) {
      throw invalidParameter(`Column '${c.name}' has ${columnLength(c)} rows, expected ${rowCount}`)
    }
  }
  return { rowCount, columns }
}

function isColumn(v: ColumnInput): v is Column {
  return typeof v === 'object' && v !== null && 'kind' in v && !ArrayBuffer.isView(v) && !Array.isArray(v)
}

export function getColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name)
}

export function columnNames(table: Table): string[] {
  return table.columns.map((c) => c.name)
}

/** The category (or number as text) in row i; undefined when missing. */
export function cellText(c: Column, i: number): string | undefined {
  if (c.kind === 'numeric') {
    const v = c.values[i]!
    return Number.isNaN(v) ? undefined : String(v)
  }
  const code = c.codes[i]!
  return code < 0 ? undefined : c.dictionary[code]
}

/** Reads a numeric column as categories (one per distinct number), e.g. class labels. */
export function numericAsCategorical(c: NumericColumn): CategoricalColumn {
  const texts = new Array<string | undefined>(c.values.length)
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i]!
    texts[i] = Number.isNaN(v) ? undefined : String(v)
  }
  return categoricalColumn(c.name, texts)
}

/** Rows [start, end) of a table, sharing no memory with it. */
export function sliceTable(table: Table, start: number, end: number): Table {
  return makeTable(
    table.columns.map((c): Column =>
      c.kind === 'numeric'
        ? { ...c, values: c.values.slice(start, end) }
        : { ...c, codes: c.codes.slice(start, end) },
    ),
  )
}

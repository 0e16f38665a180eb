/**
 * Builds a Table from values of unknown type, row by row or column chunk by column chunk, and
 * decides each column's type at the end: numbers (and missing) → numeric, anything else →
 * categorical with values as text. In 'text' mode (CSV) strings that all parse as numbers make a
 * numeric column.
 */
import { invalidParameter } from '../../protocol/errors.js'
import { categoricalColumn, makeTable, numericColumn, type Column, type Table } from './table.js'

/** Cells read as missing in text files (pandas' defaults, less the exotic ones). */
const MISSING_TEXT = new Set([
  '',
  'NA',
  'N/A',
  'NaN',
  'nan',
  'NAN',
  'null',
  'NULL',
  'None',
  '#N/A',
  'n/a',
  '-NaN',
  '-nan',
])

export type ValueMode = 'json' | 'text'

export interface BuildLimits {
  maxRows: number
  maxColumns: number
}

export const DEFAULT_BUILD_LIMITS: BuildLimits = { maxRows: 20_000_000, maxColumns: 10_000 }

const isMissing = (v: unknown, mode: ValueMode): boolean =>
  v === null ||
  v === undefined ||
  (typeof v === 'number' && Number.isNaN(v)) ||
  (mode === 'text' && typeof v === 'string' && MISSING_TEXT.has(v.trim()))

function parseNumber(s: string): number {
  const t = s.trim()
  if (t === '') return NaN
  const v = Number(t)
  if (!Number.isNaN(v)) return v
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity
  return NaN
}

function text(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (v instanceof Date) return v.toISOString()
  return JSON.stringify(v)
}

class ColumnBuilder {
  values: unknown[] = []
  /** Whether every non-missing value seen is a number (json) or parses as one (text). */
  numeric = true
  constructor(
    readonly name: string,
    private readonly mode: ValueMode,
  ) {}

  push(v: unknown): void {
    if (typeof v === 'bigint') v = Number(v)
    else if (v instanceof Date) v = v.getTime()
    if (this.numeric && !isMissing(v, this.mode)) {
      if (
        this.mode === 'json'
          ? typeof v !== 'number'
          : typeof v !== 'number' && Number.isNaN(parseNumber(text(v)))
      ) {
        this.numeric = false
      }
    }
    this.values.push(v)
  }

  padTo(n: number): void {
    while (this.values.length < n) this.values.push(null)
  }

  build(): Column {
    const mode = this.mode
    if (this.numeric) {
      const out = new Float64Array(this.values.length)
      for (let i = 0; i < out.length; i++) {
        const v = this.values[i]
        out[i] = isMissing(v, mode) ? NaN : typeof v === 'number' ? v : parseNumber(text(v))
      }
      return numericColumn(this.name, out)
    }
    return categoricalColumn(
      this.name,
      this.values.map((v) => (isMissing(v, mode) ? undefined : text(v))),
    )
  }
}

export class TableBuilder {
  private readonly columns = new Map<string, ColumnBuilder>()
  private rows = 0

  constructor(
    private readonly mode: ValueMode,
    private readonly limits: BuildLimits = DEFAULT_BUILD_LIMITS,
    private readonly source = 'input',
  ) {}

  get rowCount(): number {
    return this.rows
  }

  private column(name: string): ColumnBuilder {
    let c = this.columns.get(name)
    if (!c) {
      if (this.columns.size >= this.limits.maxColumns) {
        throw invalidParameter(`${this.source}: more than ${this.limits.maxColumns} columns`)
      }
      c = new ColumnBuilder(name, this.mode)
      c.padTo(this.rows)
      this.columns.set(name, c)
    }
    return c
  }

  private grow(n: number): void {
    if (this.rows + n > this.limits.maxRows) {
      throw invalidParameter(
        `${this.source}: more than ${this.limits.maxRows} rows (raise the row limit to read it)`,
      )
    }
    this.rows += n
  }

  /** Declares columns up front (CSV headers), so a column with no values still exists. */
  declare(names: readonly string[]): void {
    for (const n of names) this.column(n)
  }

  addRecord(record: Readonly<Record<string, unknown>>): void {
    for (const [k, v] of Object.entries(record)) {
      const c = this.column(k)
      c.padTo(this.rows)
      c.push(v)
    }
    this.grow(1)
  }

  /** Appends `rows` rows given as columns of equal length (a prediction-log request's inputs). */
  addColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>, rows: number): void {
    for (const [k, values] of Object.entries(columns)) {
      if (values.length !== rows) {
        throw invalidParameter(`${this.source}: column '${k}' has ${values.length} values for ${rows} rows`)
      }
      const c = this.column(k)
      c.padTo(this.rows)
      for (let i = 0; i < rows; i++) c.push(values[i])
    }
    this.grow(rows)
  }

  /** Appends one row given as cells in declared-column order (CSV). */
  addCells(names: readonly string[], cells: readonly string[]): void {
    for (let i = 0; i < names.length; i++) this.column(names[i]!).push(cells[i] ?? '')
    this.grow(1)
  }

  build(): Table {
    return makeTable(
      [...this.columns.values()].map((c) => {
        c.padTo(this.rows)
        return c.build()
      }),
    )
  }
}

/** A table from named columns of unknown values (e.g. a prediction-log window's inputs). */
export function tableFromValues(
  columns: Iterable<readonly [string, ArrayLike<unknown>]>,
  mode: ValueMode = 'json',
): Table {
  const b = new TableBuilder(mode)
  const entries = [...columns]
  const rows = entries[0]?.[1].length ?? 0
  b.addColumns(Object.fromEntries(entries), rows)
  return b.build()
}

/** A table from row objects. */
export function tableFromRecords(
  records: Iterable<Readonly<Record<string, unknown>>>,
  mode: ValueMode = 'json',
): Table {
  const b = new TableBuilder(mode)
  for (const r of records) b.addRecord(r)
  return b.build()
}

/**
 * A column reduced to what the drift tests read: numbers as counted distinct values, categories
 * as counts. A reference prepared once (prepareReference) serves every later window.
 */
import { categoryCounts, type CategoryCounts } from '../stats/category-counts.js'
import { valueCounts, type ValueCounts } from '../stats/value-counts.js'
import { numericAsCategorical, type Column, type Table } from '../table/table.js'
import type { ColumnType } from './types.js'

export type ColumnSample =
  | { readonly type: 'numerical'; readonly rows: number; readonly values: ValueCounts }
  | { readonly type: 'categorical'; readonly rows: number; readonly counts: CategoryCounts }

export function sampleTotal(s: ColumnSample): number {
  return s.type === 'numerical' ? s.values.total : s.counts.total
}

export function sampleDistinct(s: ColumnSample): number {
  return s.type === 'numerical' ? s.values.values.length : s.counts.categories.length
}

/** Reads a column as the given type (default: its own): numbers can be read as categories. */
export function columnSample(column: Column, as?: ColumnType): ColumnSample {
  if (column.kind === 'numeric') {
    if (as === 'categorical') {
      const cat = numericAsCategorical(column)
      return { type: 'categorical', rows: cat.codes.length, counts: categoryCounts(cat) }
    }
    return { type: 'numerical', rows: column.values.length, values: valueCounts(column.values) }
  }
  return { type: 'categorical', rows: column.codes.length, counts: categoryCounts(column) }
}

export interface PreparedReference {
  readonly kind: 'prepared-reference'
  readonly rowCount: number
  readonly columns: ReadonlyMap<string, ColumnSample>
}

/** Reduces a reference table once, so drift against many windows skips re-sorting it. */
export function prepareReference(
  table: Table,
  opts: { columns?: readonly string[]; columnTypes?: Readonly<Record<string, ColumnType>> } = {},
): PreparedReference {
  const want = opts.columns ? new Set(opts.columns) : undefined
  const columns = new Map<string, ColumnSample>()
  for (const c of table.columns) {
    if (want && !want.has(c.name)) continue
    columns.set(c.name, columnSample(c, opts.columnTypes?.[c.name]))
  }
  return { kind: 'prepared-reference', rowCount: table.rowCount, columns }
}

export function isPreparedReference(v: unknown): v is PreparedReference {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'prepared-reference'
}

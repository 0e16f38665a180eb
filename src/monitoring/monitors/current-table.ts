/**
 * A prediction-log window as a Table for drift and validation: input columns as logged, outputs
 * as columns named after the output (`output.<name>` when an input has that name, `<name>[k]` for
 * a list per row), as the core's JSON reader names them (src/monitoring/table/json.ts), so a
 * window read here and a log file given as `--current` compare alike.
 */
import { categoricalColumn, makeTable, numericColumn, type Column, type Table } from '../table/table.js'
import type { PredictionRows } from './prediction-log-reader.js'

function column(name: string, values: readonly unknown[]): Column {
  let numeric = true
  for (const v of values) {
    if (v !== null && v !== undefined && typeof v !== 'number') {
      numeric = false
      break
    }
  }
  if (numeric) return numericColumn(name, values as readonly (number | null)[])
  return categoricalColumn(
    name,
    values.map((v) =>
      v === null || v === undefined
        ? null
        : typeof v === 'string'
          ? v
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v as number | boolean),
    ),
  )
}

/** Output columns: lists per row spread over `<name>[k]`. */
function outputColumns(name: string, values: readonly unknown[]): [string, unknown[]][] {
  if (!values.some((v) => Array.isArray(v))) return [[name, [...values]]]
  const width = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 1)))
  return Array.from({ length: width }, (_, k): [string, unknown[]] => [
    `${name}[${k}]`,
    values.map((v) => (Array.isArray(v) ? (v[k] as unknown) : null)),
  ])
}

export function predictionTable(rows: PredictionRows): Table {
  const cols: Column[] = []
  for (const [name, values] of rows.inputs) cols.push(column(name, values))
  for (const [name, values] of rows.outputs) {
    const base = rows.inputs.has(name) ? `output.${name}` : name
    for (const [n, v] of outputColumns(base, values)) cols.push(column(n, v))
  }
  return makeTable(cols)
}

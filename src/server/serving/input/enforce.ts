/**
 * Schema enforcement: a parsed payload checked against the model's input schema and converted to
 * a ModelInput. As in MLflow, columns are matched by name and put in the signature's order, and
 * extra columns are dropped (the caller counts them in a metric); a missing column is a 400
 * naming it. Unlike MLflow, missing values in required columns and empty batches are refused
 * here with a clear message instead of failing inside the model.
 */
import { CairnError } from '../../../protocol/errors.js'
import type {
  ColumnSpec,
  ColumnarInput,
  Schema,
  Tensor,
  TensorInput,
  TensorSpec,
} from '../../../models/index.js'
import type { ModelInput } from '../types.js'
import { convertColumn, numericColumn } from './convert.js'
import { isRecord, type Payload, type Table } from './payload.js'
import { flattenNested, nestedShape, tensorFromNested } from './tensors.js'

export interface Enforced {
  input: ModelInput
  /** Columns or tensors the request sent that the signature does not name (dropped). */
  dropped: string[]
}

const list = (names: readonly string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`

export function missingInputs(missing: readonly string[], extra: readonly string[], hint = ''): CairnError {
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Invalid input. Model is missing inputs ${list(missing)}.${extra.length > 0 ? ` Note that there were extra inputs: ${list(extra)}.` : ''}${hint}`,
  )
}

const noRows = (): CairnError =>
  new CairnError('BAD_REQUEST', 'Invalid input. The request has no rows to predict; send at least one row.')

const NAMELESS_HINT =
  ' The model takes named columns: send dataframe_split with "columns", dataframe_records, or a list of records.'

/** `{name: values}` (a scalar is one row) as a table; the columns must have one length. */
export function dictTable(dict: Record<string, unknown>): Table {
  const names = Object.keys(dict)
  const columns = names.map((n): unknown[] => {
    const v = dict[n]
    return Array.isArray(v) ? (v as unknown[]) : [v]
  })
  const rows = columns[0]?.length ?? 0
  const uneven = columns.findIndex((c) => c.length !== rows)
  if (uneven !== -1) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Invalid input. Every input column must have the same length: '${names[0]}' has ${rows} values, '${names[uneven]}' has ${columns[uneven]!.length}.`,
    )
  }
  return { names, columns, rows }
}

function checkDuplicates(names: readonly string[]): void {
  const seen = new Set<string>()
  for (const n of names) {
    if (seen.has(n)) {
      throw new CairnError('INVALID_PARAMETER_VALUE', `Invalid input. Column '${n}' is given more than once.`)
    }
    seen.add(n)
  }
}

/**
 * Column `c` of row-major data into `out` when every value is a finite number fit for the type
 * (the common case, read without building the column first); false sends the column down the
 * general path, which also words the errors.
 */
function plainNumbers(
  data: readonly unknown[][],
  c: number,
  t: ColumnSpec['type'],
  out: Float64Array,
): boolean {
  const whole = t === 'integer' || t === 'long'
  for (let r = 0; r < data.length; r++) {
    const v = data[r]![c]
    if (typeof v !== 'number' || v - v !== 0 || (whole && !Number.isSafeInteger(v))) return false
    out[r] = v
  }
  return t !== 'integer' || out.every((v) => v >= -2147483648 && v <= 2147483647)
}

/** As plainNumbers, for column `c` of a row-major matrix of `out.length` rows. */
function plainMatrixNumbers(
  matrix: Float64Array,
  c: number,
  t: ColumnSpec['type'],
  out: Float64Array,
): boolean {
  const width = matrix.length / out.length
  const whole = t === 'integer' || t === 'long'
  for (let r = 0, at = c; r < out.length; r++, at += width) {
    const v = matrix[at]!
    if (v - v !== 0 || (whole && !Number.isSafeInteger(v))) return false
    out[r] = v
  }
  return t !== 'integer' || out.every((v) => v >= -2147483648 && v <= 2147483647)
}

const isNumeric = (t: ColumnSpec['type']): t is 'double' | 'float' | 'integer' | 'long' =>
  t === 'double' || t === 'float' || t === 'integer' || t === 'long'

/** Where each signature column is in a request's columns, and the columns dropped. */
interface ColumnPlan {
  names: readonly string[]
  wanted: (number | undefined)[]
  dropped: string[]
}

/** The last plan per signature: clients send the same columns request after request. */
const lastPlan = new WeakMap<readonly ColumnSpec[], ColumnPlan>()

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function columnPlan(table: Table, specs: readonly ColumnSpec[]): ColumnPlan {
  const last = lastPlan.get(specs)
  if (last && !table.nameless && sameNames(last.names, table.names)) return last
  const named = specs.every((s) => s.name !== undefined)
  if (named && table.nameless) {
    throw missingInputs(
      specs.map((s) => s.name!),
      table.names,
      NAMELESS_HINT,
    )
  }
  checkDuplicates(table.names)
  const position = new Map<string, number>()
  table.names.forEach((n, i) => position.set(n, i))
  const wanted = named
    ? specs.map((s) => position.get(s.name!))
    : specs.map((_, i) => (i < table.names.length ? i : undefined))
  const missing = specs.flatMap((s, i) =>
    wanted[i] === undefined && s.required ? [s.name ?? String(i)] : [],
  )
  const used = new Set(wanted.filter((i): i is number => i !== undefined))
  const dropped = table.names.filter((_, i) => !used.has(i))
  if (missing.length > 0) throw missingInputs(missing, dropped)
  const plan = { names: [...table.names], wanted, dropped }
  if (!table.nameless) lastPlan.set(specs, plan)
  return plan
}

function enforceTable(table: Table, specs: readonly ColumnSpec[]): Enforced {
  const plan = columnPlan(table, specs)
  const wanted = plan.wanted
  const dropped = [...plan.dropped]
  if (table.rows === 0) throw noRows()
  const columns: ColumnarInput = {}
  // Numeric columns share one buffer (one allocation per request, one buffer for the log thread's clone).
  const rows = table.rows
  let block: Float64Array | null = null
  specs.forEach((s, i) => {
    const name = s.name ?? String(i)
    const at = wanted[i]
    if (isNumeric(s.type)) {
      block ??= new Float64Array(rows * specs.length)
      const out = block.subarray(i * rows, (i + 1) * rows)
      const matrix = table.matrix
      if (
        at !== undefined &&
        (matrix
          ? plainMatrixNumbers(matrix, at, s.type, out)
          : table.data && plainNumbers(table.data, at, s.type, out))
      ) {
        columns[name] = out
        return
      }
      const values = at === undefined ? new Array<unknown>(rows).fill(null) : table.columns[at]!
      out.set(numericColumn(name, s.type, values, s.required))
      columns[name] = out
      return
    }
    const values = at === undefined ? new Array<unknown>(rows).fill(null) : table.columns[at]!
    columns[name] = convertColumn(name, s.type, values, s.required)
  })
  return { input: { kind: 'columns', rows: table.rows, columns }, dropped }
}

function enforceColumns(payload: Payload, specs: readonly ColumnSpec[]): Enforced {
  if (payload.kind === 'table') return enforceTable(payload.table, specs)
  if (payload.kind === 'dict') return enforceTable(dictTable(payload.value), specs)
  const named = specs.every((s) => s.name !== undefined)
  const rows = payload.value
  if (named || !rows.every(Array.isArray)) {
    const width = Array.isArray(rows[0]) ? rows[0].length : rows.length > 0 ? 1 : 0
    throw missingInputs(
      specs.map((s, i) => s.name ?? String(i)),
      Array.from({ length: width }, (_, i) => String(i)),
      NAMELESS_HINT,
    )
  }
  const width = specs.length
  const columns = specs.map(() => new Array<unknown>(rows.length))
  rows.forEach((row, r) => {
    const cells = row as unknown[]
    if (cells.length !== width) {
      throw new CairnError(
        'BAD_REQUEST',
        `Invalid input. Row ${r} has ${cells.length} values; the model takes ${width} columns.`,
      )
    }
    cells.forEach((v, c) => (columns[c]![r] = v))
  })
  return enforceTable({ names: specs.map((_, i) => String(i)), columns, rows: rows.length }, specs)
}

function rowsOf(tensors: TensorInput): number {
  const first = Object.values(tensors)[0]
  return first?.shape[0] ?? 0
}

function tableMatrix(table: Table): unknown[][] {
  return Array.from({ length: table.rows }, (_, r) => table.columns.map((c) => c[r]))
}

function enforceTensors(payload: Payload, specs: readonly TensorSpec[]): Enforced {
  const names = specs.map((s, i) => s.name ?? String(i))
  const tensors: TensorInput = {}
  let dropped: string[] = []
  if (payload.kind === 'array' || (payload.kind === 'table' && specs.length === 1)) {
    if (specs.length !== 1) {
      throw missingInputs(
        names,
        [],
        ` The model takes ${specs.length} named tensors: send "inputs" as {name: values}.`,
      )
    }
    const value = payload.kind === 'array' ? payload.value : tableMatrix(payload.table)
    tensors[names[0]!] = tensorFromNested(names[0]!, value, specs[0])
  } else {
    const dict =
      payload.kind === 'dict'
        ? payload.value
        : Object.fromEntries(payload.table.names.map((n, i) => [n, payload.table.columns[i]]))
    const missing = names.filter((n) => !(n in dict))
    dropped = Object.keys(dict).filter((k) => !names.includes(k))
    if (missing.length > 0) throw missingInputs(missing, dropped)
    specs.forEach((s, i) => (tensors[names[i]!] = tensorFromNested(names[i]!, dict[names[i]!], s)))
  }
  const rows = rowsOf(tensors)
  if (rows === 0) throw noRows()
  return { input: { kind: 'tensors', rows, tensors }, dropped }
}

/** Without a signature: nothing to check against, values are passed on as sent. */
function looseTensor(name: string, value: unknown): Tensor {
  const flat = flattenNested(value)
  if (flat.every((v) => typeof v === 'number')) return tensorFromNested(name, value)
  const shape = nestedShape(value, name)
  return { dtype: 'object', shape: shape.length === 0 ? [1] : shape, data: flat }
}

function enforceLoose(payload: Payload): Enforced {
  if (payload.kind === 'table') {
    const t = payload.table
    checkDuplicates(t.names)
    if (t.rows === 0) throw noRows()
    return {
      input: {
        kind: 'columns',
        rows: t.rows,
        columns: Object.fromEntries(t.names.map((n, i) => [n, t.columns[i]!])),
      },
      dropped: [],
    }
  }
  const tensors: TensorInput =
    payload.kind === 'array'
      ? { '0': looseTensor('0', payload.value) }
      : Object.fromEntries(Object.entries(payload.value).map(([k, v]) => [k, looseTensor(k, v)]))
  const rows = rowsOf(tensors)
  if (rows === 0) throw noRows()
  return { input: { kind: 'tensors', rows, tensors }, dropped: [] }
}

/** Checks a payload against the model's input schema (null: the model has none). */
export function enforceSchema(payload: Payload, schema: Schema | null): Enforced {
  if (schema === null) return enforceLoose(payload)
  return schema.kind === 'columns'
    ? enforceColumns(payload, schema.columns)
    : enforceTensors(payload, schema.tensors)
}

/** One row of named features (`POST /predict`) as a payload. */
export function featuresPayload(features: unknown): Payload {
  if (!isRecord(features)) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      'Invalid input. "features" must be an object of feature name → value.',
    )
  }
  return {
    kind: 'table',
    table: { names: Object.keys(features), columns: Object.values(features).map((v) => [v]), rows: 1 },
  }
}

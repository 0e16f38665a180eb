/**
 * Signature inference from an input (or output) example, and the example's normal form.
 *
 * What an example may be (checked in this order):
 * 1. a typed array or a `{ dtype?, shape, data }` tensor → one unnamed tensor;
 * 2. an object whose values are all typed arrays or tensors → named tensors;
 * 3. an array of plain objects → a table, one record per row;
 * 4. an array of numbers, or of equal-length arrays of numbers → an unnamed float64 tensor;
 * 5. an object whose values are all plain arrays of one length → a table given by columns;
 * 6. any other plain object → a table of one row (MLflow's reading of a dict example).
 *
 * Column types: number → double (JS numbers are float64; pass a BigInt for long), bigint → long,
 * boolean, string, Date → datetime, Uint8Array → binary, arrays → array of the elements' type,
 * plain objects → object. A null or undefined value makes the column optional; a column with
 * no value at all, or with values of different types, is an error naming it.
 */
import { CairnError } from '../protocol/errors.js'
import type { Tensor, TypedArray } from './js-flavor.js'
import type { ColumnSpec, ColumnType, Schema, TensorDType, TensorSpec } from './signature.js'

export type InputExample = unknown

/** The example as a table (rows of values in column order) or as tensors. */
export type NormalizedExample =
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'tensors'; named: boolean; tensors: { name: string; tensor: Tensor }[] }

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

const TYPED_DTYPES: [new (n: number) => TypedArray, TensorDType][] = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'],
  [Uint16Array, 'uint16'],
  [Uint32Array, 'uint32'],
  [BigUint64Array, 'uint64'],
]

export function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView)
}

export function dtypeOfTypedArray(a: TypedArray | Uint8ClampedArray): TensorDType {
  if (a instanceof Uint8ClampedArray) return 'uint8'
  for (const [ctor, dtype] of TYPED_DTYPES) if (a instanceof ctor) return dtype
  throw bad(`Unsupported typed array ${(a as object).constructor.name}`)
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !isTypedArray(v) &&
  !(v instanceof Date) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)

function asTensor(v: unknown): Tensor | null {
  if (isTypedArray(v)) return { dtype: dtypeOfTypedArray(v), shape: [v.length], data: v }
  if (!isPlainObject(v) || !('data' in v) || !Array.isArray(v['shape'])) return null
  const data = v['data']
  const shape = v['shape'] as number[]
  if (isTypedArray(data)) {
    const dtype = (v['dtype'] as TensorDType | undefined) ?? dtypeOfTypedArray(data)
    return { dtype, shape, data }
  }
  if (Array.isArray(data) && typeof v['dtype'] === 'string')
    return { dtype: v['dtype'] as TensorDType, shape, data }
  return null
}

function numberMatrix(v: unknown[]): Tensor | null {
  if (v.length === 0) return null
  if (v.every((x) => typeof x === 'number')) {
    return { dtype: 'float64', shape: [v.length], data: Float64Array.from(v) }
  }
  if (!v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'))) return null
  const rows = v
  const width = rows[0]!.length
  if (rows.some((r) => r.length !== width))
    throw bad('Every row of a nested-array example must have the same length')
  return { dtype: 'float64', shape: [rows.length, width], data: Float64Array.from(rows.flat()) }
}

/** The example as a table or tensors (rules in the module comment). */
export function normalizeExample(example: InputExample): NormalizedExample {
  const single = asTensor(example)
  if (single) return { kind: 'tensors', named: false, tensors: [{ name: '0', tensor: single }] }
  if (isPlainObject(example)) {
    const values = Object.entries(example)
    if (values.length === 0) throw bad('The example has no columns')
    const tensors = values.map(([name, v]) => ({ name, tensor: asTensor(v) }))
    if (tensors.every((t) => t.tensor !== null)) {
      return { kind: 'tensors', named: true, tensors: tensors as { name: string; tensor: Tensor }[] }
    }
    const lengths = new Set(values.map(([, v]) => (Array.isArray(v) ? v.length : -1)))
    if (!lengths.has(-1) && lengths.size === 1 && !lengths.has(0)) {
      const n = values[0]![1] as unknown[]
      const rows = n.map((_, i) => values.map(([, col]) => (col as unknown[])[i]))
      return { kind: 'table', columns: values.map(([k]) => k), rows }
    }
    return { kind: 'table', columns: values.map(([k]) => k), rows: [values.map(([, v]) => v)] }
  }
  if (Array.isArray(example)) {
    if (example.length > 0 && example.every(isPlainObject)) {
      const columns: string[] = []
      const seen = new Set<string>()
      for (const r of example) {
        for (const k of Object.keys(r)) {
          if (!seen.has(k)) {
            seen.add(k)
            columns.push(k)
          }
        }
      }
      return { kind: 'table', columns, rows: example.map((r) => columns.map((c) => r[c])) }
    }
    const matrix = numberMatrix(example)
    if (matrix) return { kind: 'tensors', named: false, tensors: [{ name: '0', tensor: matrix }] }
  }
  throw bad(
    'Cannot infer a signature from this example: give a record, an array of records, an object of equal-length columns, typed arrays, or tensors ({ data, shape })',
  )
}

function valueType(v: unknown, where: string): ColumnType {
  if (typeof v === 'number') return 'double'
  if (typeof v === 'bigint') return 'long'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'string') return 'string'
  if (v instanceof Date) return 'datetime'
  if (v instanceof Uint8Array) return 'binary'
  if (Array.isArray(v)) {
    const items = v.filter((x) => x !== null && x !== undefined)
    if (items.length === 0) throw bad(`Cannot infer the item type of ${where}: the array is empty`)
    return { type: 'array', items: commonType(items, `${where} items`) }
  }
  if (isPlainObject(v)) {
    return {
      type: 'object',
      properties: Object.entries(v).map(([name, x]) => ({
        name,
        type: valueType(x, `${where}.${name}`),
        required: true,
      })),
    }
  }
  throw bad(`Cannot infer the type of ${where}: unsupported value ${String(v)}`)
}

function commonType(values: unknown[], where: string): ColumnType {
  let found: ColumnType | null = null
  for (const v of values) {
    const t = valueType(v, where)
    if (found === null) found = t
    else if (JSON.stringify(found) !== JSON.stringify(t)) {
      throw bad(`Column ${where} mixes types (${JSON.stringify(found)} and ${JSON.stringify(t)})`)
    }
  }
  if (found === null) throw bad(`Cannot infer the type of ${where}: every value is null`)
  return found
}

/** The schema an example implies (MLflow's `infer_signature` for one side). */
export function inferSchema(example: InputExample): Schema {
  const n = normalizeExample(example)
  if (n.kind === 'tensors') {
    const tensors: TensorSpec[] = n.tensors.map(({ name, tensor }) => ({
      kind: 'tensor',
      ...(n.named ? { name } : {}),
      dtype: tensor.dtype,
      // The first dimension is the batch: any number of rows.
      shape: [-1, ...tensor.shape.slice(1)],
    }))
    return { kind: 'tensors', tensors }
  }
  const columns: ColumnSpec[] = n.columns.map((name, j) => {
    const values = n.rows.map((r) => r[j])
    const present = values.filter((v) => v !== null && v !== undefined)
    return {
      kind: 'column',
      name,
      type: commonType(present, `'${name}'`),
      required: present.length === values.length,
    }
  })
  return { kind: 'columns', columns }
}

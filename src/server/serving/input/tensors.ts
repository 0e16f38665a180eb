/**
 * Tensors from JSON: nested lists (MLflow's `inputs` / `instances`, OIP's `data`) to row-major
 * typed arrays of a numpy dtype, with the shape checked against a tensor spec (-1 matches any
 * size). Values must be finite numbers of the dtype's range (integers for integer dtypes);
 * null and NaN are refused here rather than inside the model.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { Tensor, TensorDType, TensorSpec, TypedArray } from '../../../models/index.js'
import { MISSING, toNumber } from './convert.js'

const invalid = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)
const badValue = (message: string): CairnError => new CairnError('BAD_REQUEST', message)

/** The shape of a nested list; throws when it is ragged. A scalar has shape []. */
export function nestedShape(value: unknown, name: string): number[] {
  const shape: number[] = []
  let v = value
  while (Array.isArray(v)) {
    shape.push(v.length)
    v = v[0]
  }
  const check = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(x))
        throw invalid(`Tensor '${name}' is ragged: nesting deeper than ${shape.length} levels`)
      return
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw invalid(
        `Tensor '${name}' is ragged: every list at depth ${depth} must have ${shape[depth]} items`,
      )
    }
    for (const item of x) check(item, depth + 1)
  }
  check(value, 0)
  return shape
}

export function flattenNested(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) flattenNested(v, out)
  else out.push(value)
  return out
}

const INT_LIMITS: Partial<Record<TensorDType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
}

type NumberArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>

const NUMBER_ARRAYS: Partial<Record<TensorDType, new (n: number) => NumberArray>> = {
  float16: Float32Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array,
}

export const isNumericDtype = (d: TensorDType): boolean => d !== 'str' && d !== 'bytes' && d !== 'object'

/** Flat JSON values to the dtype's array; `what` names the tensor in messages. */
export function typedData(
  dtype: TensorDType,
  flat: readonly unknown[],
  what: string,
): TypedArray | unknown[] {
  if (!isNumericDtype(dtype)) {
    if (dtype === 'object') return [...flat]
    for (let i = 0; i < flat.length; i++) {
      if (typeof flat[i] !== 'string') {
        throw badValue(
          `Invalid input. Tensor '${what}' holds ${JSON.stringify(flat[i])} at index ${i}; dtype ${dtype} needs strings.`,
        )
      }
    }
    return [...flat]
  }
  const limits = INT_LIMITS[dtype]
  const nums = new Float64Array(flat.length)
  for (let i = 0; i < flat.length; i++) {
    const raw = flat[i]
    if (dtype === 'bool' && typeof raw !== 'boolean' && raw !== 0 && raw !== 1) {
      throw badValue(
        `Invalid input. Tensor '${what}' holds ${JSON.stringify(raw)} at index ${i}; dtype bool needs true or false.`,
      )
    }
    const n = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? Number(raw) : toNumber(raw)
    if (n === undefined) {
      throw badValue(
        `Invalid input. Tensor '${what}' holds ${JSON.stringify(raw)} at index ${i}, which is not a number (dtype ${dtype}).`,
      )
    }
    if (n === MISSING || !Number.isFinite(n)) {
      throw badValue(
        `Invalid input. Tensor '${what}' holds ${n === MISSING ? 'a missing value (null or NaN)' : String(n)} at index ${i}; tensor inputs must be finite numbers.`,
      )
    }
    if (limits && (!Number.isInteger(n) || n < limits[0] || n > limits[1])) {
      throw badValue(
        `Invalid input. Tensor '${what}' holds ${n} at index ${i}, which is not a valid ${dtype}.`,
      )
    }
    nums[i] = n
  }
  if (dtype === 'float64') return nums
  if (dtype === 'int64') return BigInt64Array.from(nums, (x) => BigInt(x))
  if (dtype === 'uint64') return BigUint64Array.from(nums, (x) => BigInt(x))
  const Ctor = NUMBER_ARRAYS[dtype]!
  const out = new Ctor(nums.length)
  out.set(nums)
  return out
}

/** Checks `shape` against a spec's shape (-1 matches any size). */
export function checkShape(name: string, shape: readonly number[], spec: readonly number[]): void {
  const fits = shape.length === spec.length && spec.every((d, i) => d === -1 || d === shape[i])
  if (!fits) {
    throw invalid(
      `Shape of input '${name}' does not match the model's signature: got [${shape.join(', ')}], expected [${spec.join(', ')}] (-1 is any size).`,
    )
  }
}

/** A tensor from a nested list, of the spec's dtype (float64 when there is no spec). */
export function tensorFromNested(name: string, value: unknown, spec?: TensorSpec): Tensor {
  let shape = nestedShape(value, name)
  // A scalar where a batch is expected is one row.
  if (shape.length === 0) shape = [1]
  const flat = flattenNested(value)
  const dtype = spec?.dtype ?? 'float64'
  if (spec) checkShape(name, shape, spec.shape)
  return { dtype, shape, data: typedData(dtype, flat, name) }
}

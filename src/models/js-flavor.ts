/**
 * The `js` flavor's contract (docs/models.md "The js flavor"): the entry module exports
 * `load(dir)` and `predict(inputs, params, state)`; what `load` returns (awaited) is the state
 * handed to every `predict`. A module may instead return from `load` an object with its own
 * `predict(inputs, params)` and export no `predict`.
 *
 * Inputs follow the signature: a columnar record (`{ f0: Float64Array, city: string[] }`) for a
 * column signature, named tensors (`{ input: { dtype, shape, data } }`) for a tensor signature.
 * The output is one value per row (an array or typed array), a record of such columns, or named
 * tensors.
 */
import { stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CairnError } from '../protocol/errors.js'
import { jsFlavorOf } from './flavors.js'
import { readMLmodel, type MLmodel } from './mlmodel.js'
import type { TensorDType } from './signature.js'

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array

export interface Tensor {
  dtype: TensorDType
  /** Row-major; shape[0] is the batch when the spec's first dimension is -1. */
  shape: number[]
  /** A typed array for numeric dtypes (int64 → BigInt64Array, bool → Uint8Array), else an array. */
  data: TypedArray | unknown[]
}

/**
 * One array per column, all of the same length (the rows). Numeric columns (integer, long, float,
 * double) are Float64Array with NaN for a missing optional value; boolean → boolean[], string →
 * string[], binary → Uint8Array[], datetime → Date[], array/object/map → JSON values; a missing
 * optional non-numeric value is null.
 */
export type ColumnarInput = Record<string, Float64Array | unknown[]>

/** Keyed by tensor name; unnamed tensor specs are keyed by their position ("0", "1", …). */
export type TensorInput = Record<string, Tensor>

export type JsModelInput = ColumnarInput | TensorInput

export type JsModelOutput =
  unknown[] | TypedArray | Record<string, unknown[] | TypedArray> | Record<string, Tensor>

export type InferenceParams = Record<string, unknown>

/** What the entry module exports. */
export interface JsModelModule {
  load(dir: string): unknown
  predict?(
    inputs: JsModelInput,
    params: InferenceParams,
    state: unknown,
  ): JsModelOutput | Promise<JsModelOutput>
}

/** A loaded js-flavor model: predict always answers a promise. */
export interface LoadedJsModel {
  mlmodel: MLmodel
  dir: string
  predict(inputs: JsModelInput, params?: InferenceParams): Promise<JsModelOutput>
}

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

const hasPredict = (v: unknown): v is { predict: (i: JsModelInput, p: InferenceParams) => unknown } =>
  typeof v === 'object' && v !== null && typeof (v as { predict?: unknown }).predict === 'function'

let loadCounter = 0

/**
 * Imports a js-flavor model's entry and calls its `load`. Each call imports a fresh module
 * instance (a query string on the URL), so two versions of a model, or a reload of the same
 * folder, never share module state.
 */
export async function loadJsModel(dir: string, mlmodel?: MLmodel): Promise<LoadedJsModel> {
  const root = isAbsolute(dir) ? dir : resolve(dir)
  const m = mlmodel ?? (await readMLmodel(root))
  const flavor = jsFlavorOf(m)
  if (flavor === null) throw bad(`The model in ${root} has no 'js' flavor`)
  const entry = join(root, flavor.entry)
  const info = await stat(entry).catch(() => null)
  if (!info?.isFile()) throw bad(`The js flavor's entry ${flavor.entry} is missing from ${root}`)
  let mod: Partial<JsModelModule>
  try {
    mod = (await import(`${pathToFileURL(entry).href}?cairn-load=${++loadCounter}`)) as Partial<JsModelModule>
  } catch (err) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Cannot import ${flavor.entry}: ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  if (typeof mod.load !== 'function') throw bad(`${flavor.entry} must export a function load(dir)`)
  const state: unknown = await mod.load(root)
  const modulePredict = mod.predict
  if (typeof modulePredict === 'function') {
    return {
      mlmodel: m,
      dir: root,
      predict: async (inputs, params = {}) => modulePredict(inputs, params, state),
    }
  }
  if (hasPredict(state)) {
    return {
      mlmodel: m,
      dir: root,
      predict: async (inputs, params = {}) => (await state.predict(inputs, params)) as JsModelOutput,
    }
  }
  throw bad(
    `${flavor.entry} must export predict(inputs, params, state), or load must return an object with predict`,
  )
}

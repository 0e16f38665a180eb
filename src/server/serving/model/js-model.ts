/**
 * The `js` flavor (docs/models.md): the entry module's `load(dir)` and `predict(inputs, params)`,
 * loaded by src/models' `loadJsModel` (a fresh module instance per load, so a hot swap never
 * shares module state). Outputs are turned into OutputTensors: one value per row, a record of
 * such columns, or named tensors.
 */
import { CairnError } from '../../../protocol/errors.js'
import {
  isTypedArray,
  loadJsModel,
  type MLmodel,
  type Tensor,
  type TensorDType,
} from '../../../models/index.js'
import { dtypeOfTypedArray } from '../../../models/index.js'
import type { LoadedModel, ModelOrigin, OutputTensor, Prediction } from '../types.js'
import { OIP_OF_DTYPE, schemaMetadata } from './metadata.js'

const modelFault = (message: string): CairnError => new CairnError('INTERNAL_ERROR', message)

const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && 'shape' in v && 'data' in v && Array.isArray((v as Tensor).shape)

/** The dtype of plain JSON values, when they share one. */
function plainDtype(values: readonly unknown[]): TensorDType {
  if (values.every((v) => typeof v === 'number')) {
    return values.every((v) => Number.isInteger(v)) ? 'int64' : 'float64'
  }
  if (values.every((v) => typeof v === 'boolean')) return 'bool'
  if (values.every((v) => typeof v === 'string')) return 'str'
  return 'object'
}

/** One value per row (a row may be a list of numbers: then [rows, k]). */
export function columnOutput(name: string, values: unknown, rows: number): OutputTensor {
  if (isTypedArray(values)) {
    if (values.length !== rows)
      throw modelFault(`The model answered ${values.length} values in '${name}' for ${rows} rows`)
    return { name, dtype: dtypeOfTypedArray(values), shape: [rows], data: values }
  }
  if (!Array.isArray(values))
    throw modelFault(`The model's output '${name}' is not a list of one value per row`)
  if (values.length !== rows)
    throw modelFault(`The model answered ${values.length} values in '${name}' for ${rows} rows`)
  const first: unknown = values[0]
  if (Array.isArray(first) && values.every((v) => Array.isArray(v) && v.length === first.length)) {
    const flat = (values as unknown[][]).flat()
    const dtype = plainDtype(flat)
    if (dtype !== 'object') return { name, dtype, shape: [rows, first.length], data: flat }
  }
  return { name, dtype: plainDtype(values), shape: [rows], data: values }
}

/** A model's answer as outputs, checked to have one entry per row. */
export function normalizeJsOutput(out: unknown, rows: number): Pick<Prediction, 'outputs' | 'orient'> {
  if (Array.isArray(out) || isTypedArray(out))
    return { outputs: [columnOutput('predictions', out, rows)], orient: 'records' }
  if (typeof out !== 'object' || out === null) {
    throw modelFault('The model answered neither a list, a record of columns nor named tensors')
  }
  const entries = Object.entries(out)
  if (entries.length > 0 && entries.every(([, v]) => isTensor(v))) {
    return {
      orient: 'tensors',
      outputs: entries.map(([name, v]) => {
        const t = v as Tensor
        return { name, dtype: t.dtype, shape: t.shape, data: t.data }
      }),
    }
  }
  return { orient: 'records', outputs: entries.map(([name, v]) => columnOutput(name, v, rows)) }
}

export async function loadJsServingModel(
  dir: string,
  mlmodel: MLmodel,
  origin: ModelOrigin,
): Promise<LoadedModel> {
  const model = await loadJsModel(dir, mlmodel)
  const signature = mlmodel.signature ?? null
  return {
    origin,
    flavor: 'js',
    mlmodel,
    signature,
    inputs: signature?.inputs ? schemaMetadata(signature.inputs) : [],
    outputs: signature?.outputs
      ? schemaMetadata(signature.outputs)
      : [{ name: 'predictions', datatype: OIP_OF_DTYPE.object, shape: [-1] }],
    async predict(input, params): Promise<Prediction> {
      const raw = await model.predict(input.kind === 'columns' ? input.columns : input.tensors, params)
      return { rows: input.rows, ...normalizeJsOutput(raw, input.rows) }
    },
    async dispose() {},
  }
}

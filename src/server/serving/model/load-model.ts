/**
 * Loading a model folder for serving (whichever flavor it has) and checking it answers before it
 * takes traffic: its saved input example goes through the same parsing and schema enforcement as a
 * request, or, without one, a synthetic row made from the signature.
 */
import { CairnError } from '../../../protocol/errors.js'
import {
  readMLmodel,
  readServingInputExample,
  servableFlavor,
  type ColumnType,
  type MLmodel,
  type Schema,
  type TensorDType,
} from '../../../models/index.js'
import type { BatchingOptions } from '../batching/micro-batcher.js'
import { enforceSchema } from '../input/enforce.js'
import { parseScoringJson, type Payload } from '../input/payload.js'
import type { LoadedModel, ModelOrigin } from '../types.js'
import { loadJsServingModel } from './js-model.js'
import { loadOnnxModel } from './onnx-model.js'

export interface LoadOptions {
  batching: BatchingOptions
  onRun?: (rows: number) => void
}

export async function loadModelDir(
  dir: string,
  origin: ModelOrigin,
  opts: LoadOptions,
): Promise<LoadedModel> {
  let mlmodel: MLmodel
  try {
    mlmodel = await readMLmodel(dir)
  } catch (err) {
    if (err instanceof CairnError) throw err
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Cannot read the MLmodel file in ${dir}: ${(err as Error).message}`,
    )
  }
  const flavor = servableFlavor(mlmodel)
  if (flavor.flavor === 'js') return loadJsServingModel(dir, mlmodel, origin)
  return loadOnnxModel({
    dir,
    mlmodel,
    flavor,
    origin,
    batching: opts.batching,
    ...(opts.onRun ? { onRun: opts.onRun } : {}),
  })
}

function sampleValue(t: ColumnType): unknown {
  switch (t) {
    case 'boolean':
      return false
    case 'string':
      return ''
    case 'binary':
      return ''
    case 'datetime':
      return '1970-01-01T00:00:00Z'
    case 'double':
    case 'float':
    case 'integer':
    case 'long':
      return 0
  }
  if (t.type === 'array') return []
  return {}
}

function sampleTensor(dtype: TensorDType, shape: readonly number[]): unknown {
  const dims = shape.map((d) => (d === -1 ? 1 : d))
  const leaf = dtype === 'str' || dtype === 'bytes' ? '' : dtype === 'bool' ? false : 0
  const build = (d: number): unknown =>
    d === dims.length ? leaf : Array.from({ length: dims[d]! }, () => build(d + 1))
  return build(0)
}

/** One row built from the input schema: zeros, empty strings, false. */
export function syntheticPayload(schema: Schema): Payload {
  if (schema.kind === 'columns') {
    return {
      kind: 'table',
      table: {
        names: schema.columns.map((c, i) => c.name ?? String(i)),
        columns: schema.columns.map((c) => [sampleValue(c.type)]),
        rows: 1,
      },
    }
  }
  return {
    kind: 'dict',
    value: Object.fromEntries(
      schema.tensors.map((t, i) => [t.name ?? String(i), sampleTensor(t.dtype, t.shape)]),
    ),
  }
}

/**
 * Predicts on the model's input example (or a synthetic row) and checks one answer per row.
 * Throws a CairnError saying what failed; a model without an example or a signature is only
 * checked to have loaded.
 */
export async function validateModel(
  model: LoadedModel,
  dir: string,
): Promise<'example' | 'synthetic' | 'none'> {
  const schema = model.signature?.inputs ?? null
  let payload: Payload | null = null
  let params: unknown = undefined
  let used: 'example' | 'synthetic' | 'none' = 'none'
  const example = await readServingInputExample(dir, model.mlmodel)
  if (example !== null) {
    const req = parseScoringJson(example)
    payload = req.payload
    params = req.params
    used = 'example'
  } else if (schema !== null) {
    payload = syntheticPayload(schema)
    used = 'synthetic'
  }
  if (payload === null) return used
  const { input } = enforceSchema(payload, schema)
  let out
  try {
    out = await model.predict(
      input,
      typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {},
    )
  } catch (err) {
    throw new CairnError(
      'INVALID_STATE',
      `The model failed on its ${used === 'example' ? 'input example' : 'synthetic row'}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  for (const o of out.outputs) {
    if (o.shape[0] !== input.rows) {
      throw new CairnError(
        'INVALID_STATE',
        `The model answered ${o.shape[0]} rows in '${o.name}' for the ${input.rows} rows of its ${used === 'example' ? 'input example' : 'synthetic row'}`,
      )
    }
  }
  return used
}

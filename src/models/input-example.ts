/**
 * `input_example.json` as MLflow writes it (mlflow/models/utils.py `_Example`), plus the
 * ready-to-send `serving_input_payload.json` newer MLflow writes beside it:
 * - a table → `{"columns": [...], "data": [[...], ...]}` (pandas split orient, no index),
 *   info `{type: dataframe, pandas_orient: split}`, payload `{"dataframe_split": …}`;
 * - tensors → `{"inputs": [...]}` or `{"inputs": {"name": [...]}}` (TF-serving), info
 *   `{type: ndarray, format: tf-serving}`, payload the same.
 * JSON forms of values: Date → ISO 8601, Uint8Array → base64, bigint → number, NaN → null.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError } from '../protocol/errors.js'
import { checkRelativePath } from './flavors.js'
import { normalizeExample, type InputExample } from './infer-signature.js'
import type { Tensor } from './js-flavor.js'
import type { InputExampleInfo, MLmodel } from './mlmodel.js'
import { pyJsonDumps } from './py-json.js'

export const INPUT_EXAMPLE_FILE = 'input_example.json'
export const SERVING_INPUT_FILE = 'serving_input_payload.json'

function jsonValue(v: unknown): unknown {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(jsonValue)
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]))
  return v
}

/** A tensor's data as nested lists following its shape. */
export function tensorToNested(t: Tensor): unknown {
  const flat = Array.from(t.data as ArrayLike<unknown>, jsonValue)
  const dims = t.shape.length === 0 ? [flat.length] : t.shape
  const build = (offset: number, d: number): unknown => {
    if (d === dims.length - 1) return flat.slice(offset, offset + dims[d]!)
    const stride = dims.slice(d + 1).reduce((a, b) => a * b, 1)
    return Array.from({ length: dims[d]! }, (_, i) => build(offset + i * stride, d + 1))
  }
  return build(0, 0)
}

export interface SerializedExample {
  info: InputExampleInfo
  /** input_example.json's text. */
  data: string
  /** serving_input_payload.json's text. */
  servingInput: string
}

export function serializeExample(example: InputExample): SerializedExample {
  const n = normalizeExample(example)
  if (n.kind === 'table') {
    const split = { columns: n.columns, data: n.rows.map((r) => r.map(jsonValue)) }
    return {
      info: {
        artifactPath: INPUT_EXAMPLE_FILE,
        type: 'dataframe',
        pandasOrient: 'split',
        servingInputPath: SERVING_INPUT_FILE,
      },
      data: pyJsonDumps(split),
      servingInput: JSON.stringify({ dataframe_split: split }, null, 2),
    }
  }
  const inputs = n.named
    ? Object.fromEntries(n.tensors.map(({ name, tensor }) => [name, tensorToNested(tensor)]))
    : tensorToNested(n.tensors[0]!.tensor)
  return {
    info: {
      artifactPath: INPUT_EXAMPLE_FILE,
      type: 'ndarray',
      format: 'tf-serving',
      servingInputPath: SERVING_INPUT_FILE,
    },
    data: pyJsonDumps({ inputs }),
    servingInput: JSON.stringify({ inputs }, null, 2),
  }
}

/** Writes the example files into a model folder; returns the MLmodel's saved_input_example_info. */
export async function writeInputExample(dir: string, example: InputExample): Promise<InputExampleInfo> {
  const s = serializeExample(example)
  await writeFile(join(dir, INPUT_EXAMPLE_FILE), s.data)
  await writeFile(join(dir, SERVING_INPUT_FILE), s.servingInput)
  return s.info
}

/**
 * The model's input example as a scoring request body (`{"dataframe_split": …}` or
 * `{"inputs": …}`), for checking a model before it serves; null when it has none. Models saved
 * by MLflow before it wrote serving_input_payload.json are converted from input_example.json.
 */
export async function readServingInputExample(dir: string, mlmodel: MLmodel): Promise<unknown> {
  const info = mlmodel.savedInputExampleInfo
  if (!info) return null
  const read = async (rel: string): Promise<unknown> => {
    const path = join(dir, checkRelativePath(rel, 'saved_input_example_info path'))
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown
    } catch (err) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Cannot read the input example ${rel}: ${(err as Error).message}`,
      )
    }
  }
  if (info.servingInputPath !== undefined) return read(info.servingInputPath)
  const data = await read(info.artifactPath)
  if (info.type === 'dataframe') {
    // An example saved with params is {"inputs": <split>, "params": {...}}.
    if (typeof data === 'object' && data !== null && 'params' in data && 'inputs' in data) {
      const { inputs, params } = data
      return { dataframe_split: inputs, params }
    }
    return info.pandasOrient === 'records' ? { dataframe_records: data } : { dataframe_split: data }
  }
  return data
}

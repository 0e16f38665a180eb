/**
 * Model folders for serving tests and benches, written with src/models' format code: ONNX
 * logistic regressions with a column signature, js-flavor modules, the golden scoring model.
 * For tests and benches only (excluded from the build).
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  exportLinearClassifier,
  exportLinearRegressor,
  jsFlavors,
  newMLmodel,
  onnxFlavors,
  writeInputExample,
  writeMLmodel,
  type ColumnType,
  type Signature,
} from '../../../models/index.js'

export const GOLDEN_SCORING_MODEL = new URL(
  '../../../../test/golden/fixtures/scoring-model/',
  import.meta.url,
)

export function columnSignature(
  names: string[],
  type: ColumnType = 'double',
  outputs: Signature['outputs'] = null,
): Signature {
  return {
    inputs: {
      kind: 'columns',
      columns: names.map((name) => ({ kind: 'column', name, type, required: true })),
    },
    outputs,
    params: null,
  }
}

export const featureNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `f${i}`)

export interface OnnxFolderOptions {
  signature?: Signature | null
  metadata?: Record<string, unknown>
  /** Rows written as input_example.json (a table of the signature's columns). */
  example?: Record<string, unknown>[]
  /** Bytes written as model.onnx instead of the model (a corrupt file). */
  overrideOnnx?: Uint8Array
}

/** A model folder in MLflow's onnx layout. */
export async function writeOnnxFolder(
  dir: string,
  onnx: Uint8Array,
  opts: OnnxFolderOptions = {},
): Promise<string> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'model.onnx'), opts.overrideOnnx ?? onnx)
  const m = newMLmodel()
  m.flavors = onnxFlavors()
  if (opts.signature) m.signature = opts.signature
  if (opts.metadata) m.metadata = opts.metadata
  if (opts.example) m.savedInputExampleInfo = await writeInputExample(dir, opts.example)
  await writeMLmodel(dir, m)
  return dir
}

/** A binary logistic regression over f0..f{n-1}: label (int64) and probabilities [N, 2]. */
export function logisticOnnx(weights: number[], bias: number): Uint8Array {
  return exportLinearClassifier({ coefficients: [weights], intercepts: [bias], classes: [0, 1] })
}

export async function writeLogisticModel(
  dir: string,
  weights: number[],
  bias: number,
  opts: OnnxFolderOptions = {},
): Promise<string> {
  return writeOnnxFolder(dir, logisticOnnx(weights, bias), {
    signature: columnSignature(featureNames(weights.length)),
    metadata: { classes: [0, 1] },
    ...opts,
  })
}

export async function writeLinearRegressionModel(
  dir: string,
  weights: number[],
  bias: number,
): Promise<string> {
  return writeOnnxFolder(dir, exportLinearRegressor({ coefficients: weights, intercept: bias }), {
    signature: columnSignature(featureNames(weights.length)),
  })
}

/** A js-flavor folder whose entry module is `code`. */
export async function writeJsFolder(dir: string, code: string, signature: Signature | null): Promise<string> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'model.mjs'), code)
  const m = newMLmodel()
  m.flavors = jsFlavors('model.mjs')
  if (signature) m.signature = signature
  await writeMLmodel(dir, m)
  return dir
}

/** A copy of the golden scoring model (MLflow's onnx layout, f0..f7 → int64 label). */
export function copyGoldenModel(dir: string): string {
  cpSync(GOLDEN_SCORING_MODEL, dir, { recursive: true })
  return dir
}

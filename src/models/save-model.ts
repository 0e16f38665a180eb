/**
 * saveModel: writes a model folder in MLflow's layout.
 *
 * @example
 * const lr = LogisticRegression.fit(x, y)
 * await saveModel('out/model', { flavor: 'onnx', onnx: lr.toOnnx() }, { inputExample: rows.slice(0, 5) })
 * await saveModel('out/js-model', { flavor: 'js', module: 'dist/model.mjs', files: { 'weights.json': json } })
 */
import { copyFile, cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { CairnError } from '../protocol/errors.js'
import { checkRelativePath, DEFAULT_JS_ENTRY, jsFlavors, ONNX_MODEL_FILE, onnxFlavors } from './flavors.js'
import { inferSchema, type InputExample } from './infer-signature.js'
import { writeInputExample } from './input-example.js'
import { newMLmodel, writeMLmodel, type MLmodel } from './mlmodel.js'
import { onnxMetadata, onnxTensorSpecs } from './onnx/proto.js'
import { writePythonEnv } from './python-env.js'
import type { Schema, Signature } from './signature.js'

export interface OnnxModelSource {
  flavor: 'onnx'
  /** The model's bytes, or the path of a .onnx file. */
  onnx: Uint8Array | string
  /** onnxruntime execution providers (MLflow's default: CUDA, then CPU). */
  providers?: string[]
  sessionOptions?: Record<string, unknown> | null
  /** requirements.txt for MLflow's loader (default: mlflow, onnx, onnxruntime pinned). */
  pipRequirements?: string[]
}

export interface JsModelSource {
  flavor: 'js'
  /** The ES module exporting load(dir) and predict(inputs, params, state) (docs/models.md)… */
  module?: string
  /** …or its source text (then `entry` names it; default model.mjs). */
  code?: string
  /** Its name in the model folder (default: the module's file name). */
  entry?: string
  /** Files written into the folder: relative path → content (weights, vocabularies, …). */
  files?: Record<string, string | Uint8Array>
  /** Local files or folders copied into the folder by name (helper modules the entry imports). */
  copy?: string[]
}

export type ModelSource = OnnxModelSource | JsModelSource

export interface SaveModelOptions {
  /** The signature; null for none. Default: inferred (see `inferSignature` below). */
  signature?: Signature | null
  /** Saved as input_example.json; the input signature is inferred from it unless given. */
  inputExample?: InputExample
  /** An example of the model's output, for the output signature. */
  outputExample?: unknown
  /**
   * For an ONNX model with one [N, F] input: its columns, in order. The input signature becomes
   * these columns as required doubles (what MLflow infers from a DataFrame of floats).
   */
  featureNames?: string[]
  /** MLmodel `metadata`; an ONNX export's `classes` are added unless given. */
  metadata?: Record<string, unknown>
  /** Set by logModel: where the model sits in its run. */
  runId?: string
  artifactPath?: string
  now?: number
}

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

async function prepareDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null
    throw err
  })
  // As MLflow: never write into a folder that already holds something.
  if (entries !== null && entries.length > 0) {
    throw new CairnError('RESOURCE_ALREADY_EXISTS', `Path '${dir}' already exists and is not empty`)
  }
  await mkdir(dir, { recursive: true })
}

async function totalSize(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size
  }
  return total
}

const columnsOf = (names: string[]): Schema => ({
  kind: 'columns',
  columns: names.map((name) => ({ kind: 'column', name, type: 'double', required: true })),
})

/**
 * The signature a model gets when none is given: inputs from the input example, else the
 * feature names, else the ONNX graph's inputs; outputs from the output example, else the ONNX
 * graph's outputs. Null when nothing is known.
 */
function inferSignature(
  opts: SaveModelOptions,
  graph: ReturnType<typeof onnxTensorSpecs> | null,
): Signature | null {
  let inputs: Schema | null = null
  if (opts.inputExample !== undefined) inputs = inferSchema(opts.inputExample)
  else if (opts.featureNames) inputs = columnsOf(opts.featureNames)
  else if (graph && graph.inputs.length > 0) inputs = { kind: 'tensors', tensors: graph.inputs }
  let outputs: Schema | null = null
  if (opts.outputExample !== undefined) outputs = inferSchema(opts.outputExample)
  else if (graph && graph.outputs.length > 0) outputs = { kind: 'tensors', tensors: graph.outputs }
  return inputs === null && outputs === null ? null : { inputs, outputs, params: null }
}

function checkFeatureNames(names: string[] | undefined, graph: ReturnType<typeof onnxTensorSpecs>): void {
  if (!names) return
  const only = graph.inputs.length === 1 ? graph.inputs[0] : undefined
  const width = only?.shape.length === 2 ? only.shape[1] : undefined
  if (width === undefined) throw bad('featureNames needs an ONNX model with one [N, F] input')
  if (width !== -1 && width !== names.length) {
    throw bad(`The ONNX model takes ${width} features; ${names.length} feature names were given`)
  }
  if (new Set(names).size !== names.length) throw bad('Feature names must be distinct')
}

async function saveOnnx(
  dir: string,
  src: OnnxModelSource,
  opts: SaveModelOptions,
  m: MLmodel,
): Promise<void> {
  const bytes = typeof src.onnx === 'string' ? new Uint8Array(await readFile(src.onnx)) : src.onnx
  const graph = onnxTensorSpecs(bytes)
  checkFeatureNames(opts.featureNames, graph)
  await writeFile(join(dir, ONNX_MODEL_FILE), bytes)
  m.flavors = onnxFlavors({
    ...(src.providers ? { providers: src.providers } : {}),
    ...(src.sessionOptions !== undefined ? { sessionOptions: src.sessionOptions } : {}),
  })
  if (opts.signature === undefined) {
    const sig = inferSignature(opts, graph)
    if (sig) m.signature = sig
  }
  const classes = onnxMetadata(bytes)['classes']
  if (classes !== undefined && opts.metadata?.['classes'] === undefined) {
    m.metadata = { ...m.metadata, classes: JSON.parse(classes) as unknown }
  }
}

async function saveJs(dir: string, src: JsModelSource, opts: SaveModelOptions, m: MLmodel): Promise<void> {
  if ((src.module === undefined) === (src.code === undefined)) {
    throw bad('A js model needs either module (a file) or code (its source), not both')
  }
  const named = src.entry ?? (src.module !== undefined ? basename(src.module) : DEFAULT_JS_ENTRY)
  const ext = extname(named)
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    throw bad(`The js flavor runs JavaScript: compile ${named} to an ES module (.mjs) first`)
  }
  const entry = checkRelativePath(named, 'entry')
  await mkdir(dirname(join(dir, entry)), { recursive: true })
  if (src.module !== undefined) await copyFile(src.module, join(dir, entry))
  else await writeFile(join(dir, entry), src.code ?? '')
  for (const path of src.copy ?? []) await cp(path, join(dir, basename(path)), { recursive: true })
  for (const [rel, content] of Object.entries(src.files ?? {})) {
    const target = join(dir, checkRelativePath(rel, 'file'))
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, content)
  }
  // A .js entry is an ES module only under a package.json that says so.
  if (extname(entry) === '.js') await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n')
  m.flavors = jsFlavors(entry)
  if (opts.signature === undefined) {
    const sig = inferSignature(opts, null)
    if (sig) m.signature = sig
  }
}

/** Writes `model` into `dir` (created; refused when it exists and is not empty). */
export async function saveModel(
  dir: string,
  model: ModelSource,
  opts: SaveModelOptions = {},
): Promise<MLmodel> {
  await prepareDir(dir)
  const m = newMLmodel(opts.now !== undefined ? { now: opts.now } : {})
  if (opts.runId !== undefined) m.runId = opts.runId
  if (opts.artifactPath !== undefined) m.artifactPath = opts.artifactPath
  if (opts.metadata) m.metadata = { ...opts.metadata }
  if (model.flavor === 'onnx') await saveOnnx(dir, model, opts, m)
  else if (model.flavor === 'js') await saveJs(dir, model, opts, m)
  else
    throw bad(
      `Unknown flavor '${(model as { flavor: unknown }).flavor as string}'; Cairn saves 'onnx' and 'js'`,
    )
  if (opts.signature) m.signature = opts.signature
  if (opts.inputExample !== undefined)
    m.savedInputExampleInfo = await writeInputExample(dir, opts.inputExample)
  // As MLflow: the size of the model's files, taken before MLmodel and the env files exist.
  m.modelSizeBytes = await totalSize(dir)
  await writeMLmodel(dir, m)
  if (model.flavor === 'onnx') {
    await writePythonEnv(dir, model.pipRequirements ? { requirements: model.pipRequirements } : {})
  }
  return m
}

/**
 * The two flavors Cairn loads, as MLmodel entries.
 *
 * - `onnx`: MLflow's layout exactly (mlflow/onnx/__init__.py `save_model`): `model.onnx` beside
 *   the MLmodel, `flavors.onnx` {onnx_version, data, providers, onnx_session_options, code} and a
 *   `python_function` entry with `loader_module: mlflow.onnx`, so the same folder loads in MLflow
 *   (`mlflow.pyfunc.load_model`) and in Cairn.
 * - `js`: Cairn's own: `flavors.js` {entry, cairn_version, node_version}; `entry` is an ES module
 *   in the folder exporting `load(dir)` and `predict(inputs, params)` (docs/models.md). No
 *   python_function entry: MLflow cannot run it, and says so when asked.
 */
import { CairnError } from '../protocol/errors.js'
import { CAIRN_VERSION } from '../version.js'
import type { FlavorConfig, MLmodel } from './mlmodel.js'

export const ONNX_FLAVOR = 'onnx'
export const JS_FLAVOR = 'js'
export const PYFUNC_FLAVOR = 'python_function'
export const ONNX_MODEL_FILE = 'model.onnx'
export const DEFAULT_JS_ENTRY = 'model.mjs'

/** MLflow's default: GPU when there is one, else CPU. */
export const ONNX_EXECUTION_PROVIDERS = ['CUDAExecutionProvider', 'CPUExecutionProvider']

/**
 * The onnx package version Cairn's exports correspond to (IR version 8, ai.onnx.ml opset 3 read
 * fine by it), written as `onnx_version` and pinned in requirements.txt for MLflow's loader.
 */
export const ONNX_PACKAGE_VERSION = '1.14.1'
export const ONNXRUNTIME_PYTHON_VERSION = '1.16.3'
export const PYTHON_VERSION = '3.10.12'

export interface OnnxFlavor {
  /** The .onnx file, relative to the model folder (MLflow: `model.onnx`). */
  data: string
  providers: string[]
  /** onnxruntime session options as MLflow stores them (intra_op_num_threads, execution_mode, …). */
  sessionOptions: Record<string, unknown> | null
  onnxVersion: string | null
}

export interface JsFlavor {
  /** The ES module, relative to the model folder. */
  entry: string
  cairnVersion: string | null
  nodeVersion: string | null
}

export type ServableFlavor = ({ flavor: 'onnx' } & OnnxFlavor) | ({ flavor: 'js' } & JsFlavor)

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

const str = (conf: FlavorConfig, key: string): string | null => {
  const v = conf[key]
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null
}

/** A relative path that stays inside the model folder. */
export function checkRelativePath(path: string, what: string): string {
  const parts = path.split(/[\\/]+/)
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || parts.includes('..')) {
    throw bad(`${what} '${path}' must be a relative path inside the model folder`)
  }
  return path
}

/** The onnx flavor of a model, or null. `python_function` alone with `mlflow.onnx` counts too. */
export function onnxFlavorOf(m: MLmodel): OnnxFlavor | null {
  const conf = m.flavors[ONNX_FLAVOR]
  const pyfunc = m.flavors[PYFUNC_FLAVOR]
  const viaPyfunc = pyfunc !== undefined && pyfunc['loader_module'] === 'mlflow.onnx' ? pyfunc : undefined
  if (conf === undefined && viaPyfunc === undefined) return null
  const data = (conf && str(conf, 'data')) ?? (viaPyfunc && str(viaPyfunc, 'data')) ?? ONNX_MODEL_FILE
  const providers = conf?.['providers']
  const options = conf?.['onnx_session_options']
  return {
    data: checkRelativePath(data, 'flavors.onnx.data'),
    providers:
      Array.isArray(providers) && providers.every((p) => typeof p === 'string')
        ? providers
        : ONNX_EXECUTION_PROVIDERS,
    sessionOptions:
      typeof options === 'object' && options !== null && !Array.isArray(options)
        ? (options as Record<string, unknown>)
        : null,
    onnxVersion: conf ? str(conf, 'onnx_version') : null,
  }
}

export function jsFlavorOf(m: MLmodel): JsFlavor | null {
  const conf = m.flavors[JS_FLAVOR]
  if (conf === undefined) return null
  const entry = str(conf, 'entry')
  if (entry === null) throw bad("flavors.js needs an 'entry': the ES module exporting load and predict")
  return {
    entry: checkRelativePath(entry, 'flavors.js.entry'),
    cairnVersion: str(conf, 'cairn_version'),
    nodeVersion: str(conf, 'node_version'),
  }
}

/**
 * The flavor Cairn serves a model with: `js` first (it is Cairn's own), then `onnx`. Neither is
 * an error naming the flavors the model has.
 */
export function servableFlavor(m: MLmodel): ServableFlavor {
  const js = jsFlavorOf(m)
  if (js) return { flavor: 'js', ...js }
  const onnx = onnxFlavorOf(m)
  if (onnx) return { flavor: 'onnx', ...onnx }
  const have = Object.keys(m.flavors)
  throw bad(
    `Cairn serves models with the 'onnx' or 'js' flavor; this model has ${have.length > 0 ? have.map((f) => `'${f}'`).join(', ') : 'no flavors'}.`,
  )
}

/** The flavors entries MLflow's `mlflow.onnx.save_model` writes. */
export function onnxFlavors(
  opts: { providers?: string[]; sessionOptions?: Record<string, unknown> | null } = {},
): Record<string, FlavorConfig> {
  return {
    [ONNX_FLAVOR]: {
      onnx_version: ONNX_PACKAGE_VERSION,
      data: ONNX_MODEL_FILE,
      providers: opts.providers ?? ONNX_EXECUTION_PROVIDERS,
      onnx_session_options: opts.sessionOptions ?? null,
      code: null,
    },
    [PYFUNC_FLAVOR]: {
      loader_module: 'mlflow.onnx',
      data: ONNX_MODEL_FILE,
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      python_version: PYTHON_VERSION,
    },
  }
}

export function jsFlavors(entry: string): Record<string, FlavorConfig> {
  return {
    [JS_FLAVOR]: {
      entry: checkRelativePath(entry, 'entry'),
      cairn_version: CAIRN_VERSION,
      node_version: process.versions.node,
    },
  }
}

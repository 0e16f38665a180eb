/**
 * The `MLmodel` YAML at the root of a model folder, read and written as MLflow does
 * (mlflow/models/model.py): the keys it knows are typed here, flavor configs are kept as they
 * are (each flavor owns its keys), and keys Cairn does not model are carried through untouched
 * in `extra`. Written like PyYAML's `safe_dump(default_flow_style=False)`: keys sorted, block
 * style, sequences not indented under their key, strings that YAML 1.1 would read as something
 * else quoted; MLflow's own files read and write back byte for byte.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { CairnError } from '../protocol/errors.js'
import { CAIRN_VERSION } from '../version.js'
import { paramsToJson, parseSignature, schemaToJson, type Signature } from './signature.js'

export const MLMODEL_FILE = 'MLmodel'

/**
 * The MLflow release whose model format Cairn writes. MLflow compares it with its own version
 * only to warn, so models load in older and newer MLflow alike.
 */
export const MLFLOW_FORMAT_VERSION = '2.10.2'

/** A flavor's config: free-form, the flavor defines its keys (snake_case, as in the file). */
export type FlavorConfig = Record<string, unknown>

/** `saved_input_example_info` (mlflow/models/utils.py `_Example.info`). */
export interface InputExampleInfo {
  /** The example file, relative to the model folder: `input_example.json`. */
  artifactPath: string
  /** `dataframe` (a table), `ndarray` (tensors), `json_object`, … */
  type: string
  /** For `dataframe`: `split` (or `values` for unnamed columns). */
  pandasOrient?: string
  /** For `ndarray`: `tf-serving`. */
  format?: string
  /** Newer MLflow releases: a ready-to-send scoring request body. */
  servingInputPath?: string
}

export interface MLmodel {
  artifactPath?: string
  runId?: string
  modelUuid?: string
  /** `str(datetime.utcnow())` in MLflow: `2024-05-01 12:00:00.123456`. */
  utcTimeCreated?: string
  mlflowVersion?: string
  /** Set when Cairn wrote the model (key `cairn_version`). */
  cairnVersion?: string
  flavors: Record<string, FlavorConfig>
  signature?: Signature
  savedInputExampleInfo?: InputExampleInfo
  metadata?: Record<string, unknown>
  modelSizeBytes?: number
  /** Keys Cairn does not model (databricks_runtime, resources, env_vars, model_id, …). */
  extra: Record<string, unknown>
}

const KNOWN_KEYS = [
  'artifact_path',
  'run_id',
  'model_uuid',
  'utc_time_created',
  'mlflow_version',
  'cairn_version',
  'flavors',
  'signature',
  'saved_input_example_info',
  'metadata',
  'model_size_bytes',
]

const invalid = (source: string, message: string): CairnError =>
  new CairnError('INVALID_PARAMETER_VALUE', `Invalid MLmodel file${source ? ` ${source}` : ''}: ${message}`)

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function optionalString(doc: Record<string, unknown>, key: string, source: string): string | undefined {
  const v = doc[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  // YAML may read an unquoted version (2.1) or a uuid of digits as a number.
  if (typeof v === 'number') return String(v)
  throw invalid(source, `'${key}' must be a string`)
}

function parseExampleInfo(v: unknown, source: string): InputExampleInfo | undefined {
  if (v === undefined || v === null) return undefined
  if (!isRecord(v) || typeof v['artifact_path'] !== 'string') {
    throw invalid(source, "'saved_input_example_info' needs an 'artifact_path'")
  }
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined)
  const pandasOrient = str('pandas_orient')
  const format = str('format')
  const servingInputPath = str('serving_input_path')
  return {
    artifactPath: v['artifact_path'],
    type: str('type') ?? 'dataframe',
    ...(pandasOrient !== undefined ? { pandasOrient } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(servingInputPath !== undefined ? { servingInputPath } : {}),
  }
}

/** Parses MLmodel text. `source` (a path or URI) only goes into error messages. */
export function parseMLmodel(text: string, source = ''): MLmodel {
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw invalid(source, `not valid YAML: ${(err as Error).message}`)
  }
  if (!isRecord(doc)) throw invalid(source, 'the document must be a YAML mapping')
  const flavors = doc['flavors'] ?? {}
  if (!isRecord(flavors)) throw invalid(source, "'flavors' must be a mapping of flavor name to config")
  for (const [name, conf] of Object.entries(flavors)) {
    if (!isRecord(conf)) throw invalid(source, `flavor '${name}' must be a mapping`)
  }
  const sig = doc['signature']
  if (sig !== undefined && sig !== null && !isRecord(sig))
    throw invalid(source, "'signature' must be a mapping")
  const metadata = doc['metadata']
  if (metadata !== undefined && metadata !== null && !isRecord(metadata)) {
    throw invalid(source, "'metadata' must be a mapping")
  }
  const size = doc['model_size_bytes']
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc)) if (!KNOWN_KEYS.includes(k)) extra[k] = v
  const model: MLmodel = { flavors: flavors as Record<string, FlavorConfig>, extra }
  const strings = {
    artifactPath: 'artifact_path',
    runId: 'run_id',
    modelUuid: 'model_uuid',
    utcTimeCreated: 'utc_time_created',
    mlflowVersion: 'mlflow_version',
    cairnVersion: 'cairn_version',
  } as const
  for (const [field, key] of Object.entries(strings)) {
    const v = optionalString(doc, key, source)
    if (v !== undefined) model[field as keyof typeof strings] = v
  }
  if (isRecord(sig)) {
    try {
      model.signature = parseSignature(sig)
    } catch (err) {
      throw invalid(source, (err as Error).message)
    }
  }
  const info = parseExampleInfo(doc['saved_input_example_info'], source)
  if (info) model.savedInputExampleInfo = info
  if (isRecord(metadata)) model.metadata = metadata
  if (typeof size === 'number') model.modelSizeBytes = size
  return model
}

/** The snake_case mapping MLflow's `Model.to_dict()` gives (undefined values left out). */
export function mlmodelToDict(m: MLmodel): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m.extra }
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v
  }
  put('artifact_path', m.artifactPath)
  put('run_id', m.runId)
  put('model_uuid', m.modelUuid)
  put('utc_time_created', m.utcTimeCreated)
  put('mlflow_version', m.mlflowVersion)
  put('cairn_version', m.cairnVersion)
  out['flavors'] = m.flavors
  if (m.signature) {
    // MLflow writes all three parts, null when absent.
    const s = m.signature
    out['signature'] = {
      inputs: s.inputs ? schemaToJson(s.inputs) : null,
      outputs: s.outputs ? schemaToJson(s.outputs) : null,
      params: s.params ? paramsToJson(s.params) : null,
    }
  }
  const info = m.savedInputExampleInfo
  if (info) {
    out['saved_input_example_info'] = {
      artifact_path: info.artifactPath,
      type: info.type,
      ...(info.pandasOrient !== undefined ? { pandas_orient: info.pandasOrient } : {}),
      ...(info.format !== undefined ? { format: info.format } : {}),
      ...(info.servingInputPath !== undefined ? { serving_input_path: info.servingInputPath } : {}),
    }
  }
  put('metadata', m.metadata)
  put('model_size_bytes', m.modelSizeBytes)
  return out
}

/** YAML as PyYAML's `safe_dump(..., default_flow_style=False)` writes it. */
export function toPyYaml(doc: unknown): string {
  return stringifyYaml(doc, {
    version: '1.1',
    sortMapEntries: true,
    lineWidth: 0,
    indentSeq: false,
    singleQuote: true,
    nullStr: 'null',
  })
}

export const serializeMLmodel = (m: MLmodel): string => toPyYaml(mlmodelToDict(m))

/** Reads `<dir>/MLmodel`; RESOURCE_DOES_NOT_EXIST when the folder has none. */
export async function readMLmodel(dir: string): Promise<MLmodel> {
  const path = join(dir, MLMODEL_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CairnError('RESOURCE_DOES_NOT_EXIST', `No MLmodel file in ${dir}`)
    }
    throw err
  }
  return parseMLmodel(text, path)
}

export async function writeMLmodel(dir: string, m: MLmodel): Promise<void> {
  await writeFile(join(dir, MLMODEL_FILE), serializeMLmodel(m))
}

/** MLflow's `utc_time_created` format: `YYYY-MM-DD HH:MM:SS.ffffff` in UTC. */
export function utcTimeCreated(ms: number): string {
  const iso = new Date(ms).toISOString() // 2024-05-01T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`
}

/** A new MLmodel for a model Cairn saves: uuid, time, versions; flavors added by the caller. */
export function newMLmodel(opts: { now?: number; uuid?: string } = {}): MLmodel {
  return {
    modelUuid: opts.uuid ?? crypto.randomUUID().replaceAll('-', ''),
    utcTimeCreated: utcTimeCreated(opts.now ?? Date.now()),
    mlflowVersion: MLFLOW_FORMAT_VERSION,
    cairnVersion: CAIRN_VERSION,
    flavors: {},
    extra: {},
  }
}

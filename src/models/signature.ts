/**
 * Model signatures as MLflow writes them in `MLmodel`: `inputs` and `outputs` are JSON text of a
 * list of column specs (`[{"type": "double", "name": "x", "required": true}]`) or tensor specs
 * (`[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]`), never both;
 * `params` is a list of `{"name", "type", "default", "shape"}`. Parsed here into typed specs;
 * written back in MLflow's key order and `json.dumps` spacing so files compare byte for byte.
 */
import { CairnError } from '../protocol/errors.js'
import type { ModelSignature as WireSignature } from '../protocol/registry-entities.js'
import { pyJsonDumps } from './py-json.js'

/** MLflow's DataType names (mlflow/types/schema.py). */
export const DATA_TYPES = [
  'boolean',
  'integer',
  'long',
  'float',
  'double',
  'string',
  'binary',
  'datetime',
] as const
export type DataType = (typeof DATA_TYPES)[number]

/** numpy dtype names as MLflow writes them (`np.dtype(...).name`). */
export const TENSOR_DTYPES = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'str',
  'bytes',
  'object',
] as const
export type TensorDType = (typeof TENSOR_DTYPES)[number]

/** A column's type: a scalar, or MLflow's nested Array / Object / Map / AnyType. */
export type ColumnType =
  | DataType
  | { type: 'array'; items: ColumnType }
  | { type: 'object'; properties: ObjectProperty[] }
  | { type: 'map'; values: ColumnType }
  | { type: 'any' }

export interface ObjectProperty {
  name: string
  type: ColumnType
  required: boolean
}

export interface ColumnSpec {
  kind: 'column'
  /** Undefined for unnamed (positional) columns. */
  name?: string
  type: ColumnType
  /** MLflow ≥ 2.8 writes it; older files lack it and mean true. */
  required: boolean
}

export interface TensorSpec {
  kind: 'tensor'
  name?: string
  dtype: TensorDType
  /** -1 for a variable dimension (usually the batch). */
  shape: number[]
}

/** All columns or all tensors, all named or all unnamed (MLflow's Schema rules). */
export type Schema = { kind: 'columns'; columns: ColumnSpec[] } | { kind: 'tensors'; tensors: TensorSpec[] }

export interface ParamSpec {
  name: string
  type: DataType
  default: unknown
  /** null for a scalar, [-1] for a list. */
  shape: number[] | null
}

export interface Signature {
  inputs: Schema | null
  outputs: Schema | null
  params: ParamSpec[] | null
}

const bad = (where: string, message: string): CairnError =>
  new CairnError('INVALID_PARAMETER_VALUE', `Invalid model signature: ${where}: ${message}`)

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isDataType = (v: unknown): v is DataType => DATA_TYPES.includes(v as DataType)

function parseColumnType(raw: Record<string, unknown>, where: string): ColumnType {
  const t = raw['type']
  if (isDataType(t)) return t
  switch (t) {
    case 'array': {
      const items = raw['items']
      if (!isRecord(items)) throw bad(where, 'an array type needs an "items" object')
      return { type: 'array', items: parseColumnType(items, `${where}.items`) }
    }
    case 'map': {
      const values = raw['values']
      if (!isRecord(values)) throw bad(where, 'a map type needs a "values" object')
      return { type: 'map', values: parseColumnType(values, `${where}.values`) }
    }
    case 'object': {
      const props = raw['properties']
      if (!isRecord(props)) throw bad(where, 'an object type needs a "properties" object')
      return {
        type: 'object',
        properties: Object.entries(props).map(([name, p]) => {
          if (!isRecord(p)) throw bad(`${where}.properties.${name}`, 'must be an object')
          return {
            name,
            type: parseColumnType(p, `${where}.properties.${name}`),
            required: p['required'] !== false,
          }
        }),
      }
    }
    case 'any':
      return { type: 'any' }
    default:
      throw bad(
        where,
        `unknown type ${JSON.stringify(t)}; expected one of ${DATA_TYPES.join(', ')}, array, object, map, any or tensor`,
      )
  }
}

function parseSpec(raw: unknown, where: string): ColumnSpec | TensorSpec {
  if (!isRecord(raw)) throw bad(where, 'each spec must be a JSON object')
  const name = raw['name']
  if (name !== undefined && name !== null && typeof name !== 'string')
    throw bad(where, '"name" must be a string')
  const named = typeof name === 'string' ? { name } : {}
  if (raw['type'] === 'tensor') {
    const ts = raw['tensor-spec']
    if (!isRecord(ts)) throw bad(where, 'a tensor spec needs a "tensor-spec" object with dtype and shape')
    const dtype = ts['dtype']
    if (!TENSOR_DTYPES.includes(dtype as TensorDType)) {
      throw bad(
        where,
        `unknown tensor dtype ${JSON.stringify(dtype)}; expected one of ${TENSOR_DTYPES.join(', ')}`,
      )
    }
    const shape = ts['shape']
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= -1)) {
      throw bad(where, '"shape" must be a list of integers (-1 for a variable dimension)')
    }
    return { kind: 'tensor', ...named, dtype: dtype as TensorDType, shape: shape as number[] }
  }
  return { kind: 'column', ...named, type: parseColumnType(raw, where), required: raw['required'] !== false }
}

/** Parses one schema's JSON text (`signature.inputs` or `.outputs`), checking MLflow's rules. */
export function parseSchema(json: string, part = 'inputs'): Schema {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (err) {
    throw bad(part, `not valid JSON (${(err as Error).message})`)
  }
  if (!Array.isArray(raw)) throw bad(part, 'must be a JSON list of column or tensor specs')
  const specs = raw.map((s, i) => parseSpec(s, `${part}[${i}]`))
  const named = specs.filter((s) => s.name !== undefined).length
  if (named !== 0 && named !== specs.length) throw bad(part, 'mixes named and unnamed entries')
  const names = new Set<string>()
  for (const s of specs) {
    if (s.name === undefined) continue
    if (names.has(s.name)) throw bad(part, `duplicate name '${s.name}'`)
    names.add(s.name)
  }
  const columns = specs.filter((s): s is ColumnSpec => s.kind === 'column')
  const tensors = specs.filter((s): s is TensorSpec => s.kind === 'tensor')
  if (columns.length > 0 && tensors.length > 0) throw bad(part, 'mixes column specs and tensor specs')
  return tensors.length > 0 ? { kind: 'tensors', tensors } : { kind: 'columns', columns }
}

export function parseParams(json: string): ParamSpec[] {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (err) {
    throw bad('params', `not valid JSON (${(err as Error).message})`)
  }
  if (!Array.isArray(raw)) throw bad('params', 'must be a JSON list of param specs')
  return raw.map((p, i) => {
    const where = `params[${i}]`
    if (!isRecord(p) || typeof p['name'] !== 'string') throw bad(where, 'needs a "name"')
    if (!isDataType(p['type'])) throw bad(where, `unknown type ${JSON.stringify(p['type'])}`)
    const shape = p['shape'] ?? null
    if (shape !== null && !(Array.isArray(shape) && shape.every(Number.isInteger))) {
      throw bad(where, '"shape" must be null or a list of integers')
    }
    return {
      name: p['name'],
      type: p['type'],
      default: p['default'] ?? null,
      shape: shape as number[] | null,
    }
  })
}

/** The typed signature of MLmodel's `signature` block (strings as MLflow writes them; null parts allowed). */
export function parseSignature(raw: { inputs?: unknown; outputs?: unknown; params?: unknown }): Signature {
  const text = (v: unknown, part: string): string | null => {
    if (v === undefined || v === null) return null
    if (typeof v === 'string') return v
    // A hand-written MLmodel may hold the list itself rather than its JSON text.
    if (Array.isArray(v)) return JSON.stringify(v)
    throw bad(part, 'must be JSON text')
  }
  const inputs = text(raw.inputs, 'inputs')
  const outputs = text(raw.outputs, 'outputs')
  const params = text(raw.params, 'params')
  return {
    inputs: inputs === null ? null : parseSchema(inputs, 'inputs'),
    outputs: outputs === null ? null : parseSchema(outputs, 'outputs'),
    params: params === null ? null : parseParams(params),
  }
}

function columnTypeJson(t: ColumnType): Record<string, unknown> {
  if (typeof t === 'string') return { type: t }
  switch (t.type) {
    case 'array':
      return { type: 'array', items: columnTypeJson(t.items) }
    case 'map':
      return { type: 'map', values: columnTypeJson(t.values) }
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(
          t.properties.map((p) => [p.name, { ...columnTypeJson(p.type), required: p.required }]),
        ),
      }
    case 'any':
      return { type: 'any' }
  }
}

/** The list MLflow's `Schema.to_dict()` gives, in its key order. */
export function schemaToDicts(schema: Schema): Record<string, unknown>[] {
  if (schema.kind === 'tensors') {
    return schema.tensors.map((t) => ({
      ...(t.name !== undefined ? { name: t.name } : {}),
      type: 'tensor',
      'tensor-spec': { dtype: t.dtype, shape: t.shape },
    }))
  }
  return schema.columns.map((c) => ({
    ...columnTypeJson(c.type),
    ...(c.name !== undefined ? { name: c.name } : {}),
    required: c.required,
  }))
}

export const schemaToJson = (schema: Schema): string => pyJsonDumps(schemaToDicts(schema))

export function paramsToJson(params: ParamSpec[]): string {
  const floats = (t: DataType): boolean => t === 'float' || t === 'double'
  // Defaults of float params are written as Python floats (`1.0`), as json.dumps writes them.
  return `[${params
    .map(
      (p) =>
        `{"name": ${pyJsonDumps(p.name)}, "type": ${pyJsonDumps(p.type)}, "default": ${pyJsonDumps(p.default, floats(p.type))}, "shape": ${pyJsonDumps(p.shape)}}`,
    )
    .join(', ')}]`
}

/** The signature as the registry stores it (JSON text per part; null parts left out). */
export function signatureToWire(sig: Signature): WireSignature {
  return {
    ...(sig.inputs ? { inputs: schemaToJson(sig.inputs) } : {}),
    ...(sig.outputs ? { outputs: schemaToJson(sig.outputs) } : {}),
    ...(sig.params ? { params: paramsToJson(sig.params) } : {}),
  }
}

/** Names of a schema's entries in order; unnamed entries are named by their index ("0", "1", …). */
export function schemaNames(schema: Schema): string[] {
  const specs = schema.kind === 'columns' ? schema.columns : schema.tensors
  return specs.map((s, i) => s.name ?? String(i))
}

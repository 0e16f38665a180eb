/**
 * Open Inference Protocol (v2) tensors to and from a model's inputs and outputs.
 *
 * Requests name their inputs: for a column signature, each input is one column (shape [N] or
 * [N, 1], a datatype the column type accepts), or one [N, columns] input holds every column in
 * the signature's order; for a tensor signature, each input is the tensor of its name, its
 * datatype that of the spec (FP64 is also accepted for FP32, cast as MLflow casts) and its shape
 * checked against the spec's. Data may be flat or nested; its count must match the shape.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { ColumnType, Schema, TensorSpec } from '../../../models/index.js'
import { enforceSchema, missingInputs, type Enforced } from '../input/enforce.js'
import { isRecord } from '../input/payload.js'
import { checkShape, flattenNested, typedData } from '../input/tensors.js'
import { DTYPE_OF_OIP, OIP_OF_DTYPE, oipOfColumn } from '../model/metadata.js'
import type { OutputTensor, Prediction, TensorDType } from '../types.js'
import { flatJsonValues } from './output-format.js'

export interface OipInput {
  name: string
  shape: number[]
  datatype: string
  data: unknown[]
}

export interface OipRequest {
  id?: string
  inputs: OipInput[]
  /** Output names asked for (all when absent). */
  outputs?: string[]
}

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

const SUPPORTED = Object.keys(DTYPE_OF_OIP)

/** The request body, checked for the protocol's shape (not yet against the model). */
export function parseInferRequest(body: unknown): OipRequest {
  if (!isRecord(body)) throw bad('The inference request must be a JSON object with "inputs".')
  const inputs = body['inputs']
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw bad('"inputs" must be a non-empty list of tensors.')
  const seen = new Set<string>()
  const parsed = inputs.map((raw, i): OipInput => {
    if (!isRecord(raw)) throw bad(`inputs[${i}] must be an object with name, shape, datatype and data.`)
    const { name, shape, datatype, data } = raw
    if (typeof name !== 'string' || name === '') throw bad(`inputs[${i}] needs a "name".`)
    if (seen.has(name)) throw bad(`Input '${name}' is given twice.`)
    seen.add(name)
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw bad(`Input '${name}': "shape" must be a list of non-negative integers.`)
    }
    if (typeof datatype !== 'string' || !SUPPORTED.includes(datatype)) {
      throw bad(
        `Input '${name}': datatype ${JSON.stringify(datatype)} is not supported; use one of ${SUPPORTED.join(', ')}.`,
      )
    }
    if (!Array.isArray(data)) throw bad(`Input '${name}': "data" must be a list (flat or nested).`)
    const flat = flattenNested(data)
    const count = (shape as number[]).reduce((a, b) => a * b, 1)
    if (flat.length !== count) {
      throw bad(
        `Input '${name}': shape [${(shape as number[]).join(', ')}] needs ${count} values, "data" has ${flat.length}.`,
      )
    }
    return { name, shape: shape as number[], datatype, data: flat }
  })
  const outputs = body['outputs']
  let names: string[] | undefined
  if (outputs !== undefined) {
    if (!Array.isArray(outputs) || !outputs.every((o) => isRecord(o) && typeof o['name'] === 'string')) {
      throw bad('"outputs" must be a list of {"name": ...}.')
    }
    names = outputs.map((o) => (o as { name: string }).name)
  }
  const id = body['id']
  if (id !== undefined && typeof id !== 'string') throw bad('"id" must be a string.')
  return { ...(id !== undefined ? { id } : {}), inputs: parsed, ...(names ? { outputs: names } : {}) }
}

const NUMERIC = new Set([
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'FP16',
  'FP32',
  'FP64',
])
const INTEGER = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64'])

function columnAccepts(t: ColumnType, datatype: string): boolean {
  switch (t) {
    case 'double':
    case 'float':
      return NUMERIC.has(datatype)
    case 'integer':
    case 'long':
      return INTEGER.has(datatype)
    case 'boolean':
      return datatype === 'BOOL'
    default:
      return datatype === 'BYTES'
  }
}

function asColumns(req: OipRequest, schema: Extract<Schema, { kind: 'columns' }>): Enforced {
  const specs = schema.columns
  const names = specs.map((c, i) => c.name ?? String(i))
  const only = req.inputs.length === 1 ? req.inputs[0]! : undefined
  // One [N, columns] matrix holding every column in the signature's order.
  if (only && !names.includes(only.name) && only.shape.length === 2 && only.shape[1] === specs.length) {
    const rows = only.shape[0]!
    const columns = specs.map((s, c) => {
      if (!columnAccepts(s.type, only.datatype))
        throw bad(
          `Input '${only.name}' is ${only.datatype}; column '${names[c]}' is ${typeof s.type === 'string' ? s.type : s.type.type} (${oipOfColumn(s.type)}).`,
        )
      return Array.from({ length: rows }, (_, r) => only.data[r * specs.length + c])
    })
    return enforceSchema({ kind: 'table', table: { names, columns, rows } }, schema)
  }
  const rows = req.inputs[0]!.shape[0] ?? 0
  for (const input of req.inputs) {
    const at = names.indexOf(input.name)
    if (at === -1) continue
    const spec = specs[at]!
    if (!(input.shape.length === 1 || (input.shape.length === 2 && input.shape[1] === 1))) {
      throw bad(
        `Input '${input.name}' is a column: its shape must be [N] or [N, 1], got [${input.shape.join(', ')}].`,
      )
    }
    if (input.shape[0] !== rows)
      throw bad(
        `Every input needs the same number of rows: '${input.name}' has ${input.shape[0]}, expected ${rows}.`,
      )
    if (!columnAccepts(spec.type, input.datatype)) {
      throw bad(
        `Input '${input.name}' is ${input.datatype}; the signature's column is ${typeof spec.type === 'string' ? spec.type : spec.type.type} (${oipOfColumn(spec.type)}).`,
      )
    }
  }
  return enforceSchema(
    {
      kind: 'table',
      table: { names: req.inputs.map((i) => i.name), columns: req.inputs.map((i) => i.data), rows },
    },
    schema,
  )
}

function tensorDtype(spec: TensorSpec, input: OipInput): TensorDType {
  const sent = DTYPE_OF_OIP[input.datatype]!
  const wanted = spec.dtype
  if (OIP_OF_DTYPE[wanted] === input.datatype || (wanted === 'float32' && sent === 'float64')) return wanted
  throw bad(
    `Input '${input.name}' is ${input.datatype}; the signature's tensor is ${wanted} (${OIP_OF_DTYPE[wanted]}).`,
  )
}

function asTensors(req: OipRequest, specs: readonly TensorSpec[]): Enforced {
  const names = specs.map((s, i) => s.name ?? String(i))
  const byName = new Map(req.inputs.map((i) => [i.name, i]))
  const single = specs.length === 1 && req.inputs.length === 1
  const missing = names.filter((n) => !byName.has(n) && !single)
  const dropped = single ? [] : req.inputs.filter((i) => !names.includes(i.name)).map((i) => i.name)
  if (missing.length > 0) throw missingInputs(missing, dropped)
  const tensors = Object.fromEntries(
    specs.map((spec, i) => {
      const input = byName.get(names[i]!) ?? req.inputs[0]!
      checkShape(input.name, input.shape, spec.shape)
      const dtype = tensorDtype(spec, input)
      return [names[i]!, { dtype, shape: input.shape, data: typedData(dtype, input.data, input.name) }]
    }),
  )
  return { input: { kind: 'tensors', rows: req.inputs[0]!.shape[0] ?? 1, tensors }, dropped }
}

/** The request's tensors checked against the model's input schema. */
export function oipInput(req: OipRequest, schema: Schema | null): Enforced {
  if (schema?.kind === 'columns') return asColumns(req, schema)
  if (schema?.kind === 'tensors') return asTensors(req, schema.tensors)
  const tensors = Object.fromEntries(
    req.inputs.map((i) => {
      const dtype = DTYPE_OF_OIP[i.datatype]!
      return [i.name, { dtype, shape: i.shape, data: typedData(dtype, i.data, i.name) }]
    }),
  )
  return { input: { kind: 'tensors', rows: req.inputs[0]!.shape[0] ?? 1, tensors }, dropped: [] }
}

export interface OipOutput {
  name: string
  datatype: string
  shape: number[]
  data: unknown[]
}

/** The prediction's outputs, limited to the names asked for. */
export function oipOutputs(p: Prediction, wanted?: string[]): OipOutput[] {
  let outputs: OutputTensor[] = p.outputs
  if (wanted) {
    const unknown = wanted.filter((w) => !p.outputs.some((o) => o.name === w))
    if (unknown.length > 0) {
      throw bad(
        `Unknown output ${unknown.map((u) => `'${u}'`).join(', ')}; the model answers ${p.outputs.map((o) => `'${o.name}'`).join(', ')}.`,
      )
    }
    outputs = p.outputs.filter((o) => wanted.includes(o.name))
  }
  return outputs.map((o) => ({
    name: o.name,
    datatype: OIP_OF_DTYPE[o.dtype],
    shape: o.shape,
    data: flatJsonValues(o),
  }))
}

/**
 * Building and reading ONNX protobufs with `onnx-proto` (protobufjs static code of onnx.proto,
 * IR version 8). The `ai.onnx.ml` operators (LinearClassifier, TreeEnsemble*, …) need no schema
 * of their own: they are ordinary NodeProtos in the `ai.onnx.ml` domain whose attributes are
 * generic AttributeProtos, and with ZipMap left out every output is a plain tensor.
 */
import onnxProto from 'onnx-proto'
import { CairnError } from '../../protocol/errors.js'
import type { TensorDType, TensorSpec } from '../signature.js'

const { onnx } = onnxProto

export const ML_DOMAIN = 'ai.onnx.ml'
/** IR 8 (onnx 1.10+); opsets every onnxruntime since 1.10 runs. */
export const IR_VERSION = 8
export const ONNX_OPSET = 15
export const ML_OPSET = 3

/** TensorProto.DataType */
export const ELEM = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  str: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
} as const satisfies Partial<Record<TensorDType, number>>

const DTYPE_OF_ELEM = new Map<number, TensorDType>(
  Object.entries(ELEM).map(([k, v]) => [v, k as TensorDType]),
)

export type AttrValue = number | string | number[] | string[] | { ints: number[] } | { floats: number[] }

const AttrType = onnx.AttributeProto.AttributeType
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/**
 * An attribute by its JS value: a number is a FLOAT unless it is wrapped as `{ ints: [n] }` …
 * Ambiguous cases are spelled out: `{ ints }` / `{ floats }` for lists, `intAttr` for one int.
 */
function attribute(name: string, v: AttrValue | { int: number }): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: utf8(v) }
  if (typeof v === 'number') return { name, type: AttrType.FLOAT, f: v }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: AttrType.STRINGS, strings: v.map(utf8) }
    return { name, type: AttrType.FLOATS, floats: v }
  }
  if ('int' in v) return { name, type: AttrType.INT, i: v.int }
  if ('ints' in v) return { name, type: AttrType.INTS, ints: v.ints }
  return { name, type: AttrType.FLOATS, floats: v.floats }
}

export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attrs?: Record<string, AttrValue | { int: number } | undefined>
  domain?: string
  name?: string
}

export interface ValueSpec {
  name: string
  dtype: keyof typeof ELEM
  /** null for a symbolic dimension (named `N`: the batch). */
  shape: (number | null)[]
}

export interface GraphSpec {
  name: string
  nodes: NodeSpec[]
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  initializers?: { name: string; dtype: 'int64' | 'float32'; dims: number[]; values: number[] }[]
  /** Written into the model's metadata_props (e.g. the feature names). */
  metadata?: Record<string, string>
  docString?: string
}

function valueInfo(v: ValueSpec): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM[v.dtype],
        shape: { dim: v.shape.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  }
}

/** Serializes a graph as a ModelProto (bytes of a `.onnx` file). */
export function encodeModel(g: GraphSpec): Uint8Array {
  const usesMl = g.nodes.some((n) => n.domain === ML_DOMAIN)
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'cairn',
    producerVersion: '0.1.0',
    opsetImport: [
      { domain: '', version: ONNX_OPSET },
      ...(usesMl ? [{ domain: ML_DOMAIN, version: ML_OPSET }] : []),
    ],
    docString: g.docString ?? '',
    metadataProps: Object.entries(g.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n, i) => ({
        opType: n.op,
        domain: n.domain ?? '',
        name: n.name ?? `${n.op}_${i}`,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {})
          .filter((e): e is [string, AttrValue | { int: number }] => e[1] !== undefined)
          .map(([k, v]) => attribute(k, v)),
      })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
      initializer: (g.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: ELEM[t.dtype],
        ...(t.dtype === 'int64' ? { int64Data: t.values } : { floatData: t.values }),
      })),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

const toNumber = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : typeof (v as { toNumber?: () => number }).toNumber === 'function'
      ? (v as { toNumber: () => number }).toNumber()
      : Number(v)

/** A graph's inputs and outputs as MLflow tensor specs (symbolic dimensions → -1). */
export function onnxTensorSpecs(bytes: Uint8Array): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  let model: onnxProto.onnx.ModelProto
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (err) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `Not an ONNX model: ${(err as Error).message}`)
  }
  const graph = model.graph
  if (!graph) throw new CairnError('INVALID_PARAMETER_VALUE', 'Not an ONNX model: it has no graph')
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name))
  const spec = (v: onnxProto.onnx.IValueInfoProto): TensorSpec | null => {
    const t = v.type?.tensorType
    if (!t) return null
    const dtype = DTYPE_OF_ELEM.get(t.elemType ?? 0)
    if (dtype === undefined) return null
    const shape = (t.shape?.dim ?? []).map((d) =>
      d.dimValue !== undefined && d.dimValue !== null && !d.dimParam ? toNumber(d.dimValue) : -1,
    )
    return { kind: 'tensor', name: v.name ?? '', dtype, shape }
  }
  const keep = (s: TensorSpec | null): s is TensorSpec => s !== null
  return {
    inputs: (graph.input ?? [])
      .filter((i) => !initializers.has(i.name ?? ''))
      .map(spec)
      .filter(keep),
    outputs: (graph.output ?? []).map(spec).filter(keep),
  }
}

/** The model's metadata_props (key → value). */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes)
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']))
}

/**
 * From a checked ModelInput to onnxruntime feeds, as MLflow's `_OnnxModelWrapper` does it:
 * a table for a graph with one input is fed as one [rows, columns] tensor in the signature's
 * column order; a table for a graph with several inputs feeds each input from the column of its
 * name; tensors feed the inputs of their names. Values are cast to the type the graph declares
 * (float64 → float32 when the graph wants tensor(float), as MLflow does).
 */
import { CairnError } from '../../../protocol/errors.js'
import type { Schema } from '../../../models/index.js'
import type { BatchTensor, Tensors } from '../batching/micro-batcher.js'
import { numericColumn } from '../input/convert.js'
import type { ModelInput, Tensor } from '../types.js'

export interface GraphInput {
  name: string
  /** onnxruntime's element type: float32, float64, int64, string, bool, float16, … */
  type: string
  /** -1 for symbolic dimensions. */
  shape: number[]
}

/** How a request's inputs reach the graph, decided once at load. */
export type FeedPlan =
  { kind: 'matrix'; input: GraphInput; rank: number } | { kind: 'by-name'; inputs: GraphInput[] }

const loadError = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)
const badValue = (message: string): CairnError => new CairnError('BAD_REQUEST', message)

/** Checks that the signature fits the graph; the plan for feeding it. */
export function planFeeds(graph: GraphInput[], schema: Schema | null): FeedPlan {
  if (graph.length === 0) throw loadError('The ONNX graph has no inputs')
  if (graph.length === 1 && (schema === null || schema.kind === 'columns')) {
    const input = graph[0]!
    const rank = input.shape.length
    if (rank !== 1 && rank !== 2) {
      throw loadError(
        `The ONNX graph's input '${input.name}' has rank ${rank}; a table is fed as [rows, columns]`,
      )
    }
    const width = schema?.kind === 'columns' ? schema.columns.length : -1
    const fixed = rank === 2 ? input.shape[1]! : 1
    if (width !== -1 && fixed !== -1 && fixed !== width) {
      throw loadError(
        `The signature has ${width} columns but the ONNX graph's input '${input.name}' takes ${fixed} features`,
      )
    }
    return { kind: 'matrix', input, rank }
  }
  if (schema !== null) {
    const names =
      schema.kind === 'columns'
        ? schema.columns.map((c, i) => c.name ?? String(i))
        : schema.tensors.map((t, i) => t.name ?? String(i))
    const single = graph.length === 1 && names.length === 1
    const missing = graph.filter((g) => !single && !names.includes(g.name)).map((g) => g.name)
    if (missing.length > 0) {
      throw loadError(
        `The ONNX graph's inputs ${missing.join(', ')} have no entry of that name in the model's signature`,
      )
    }
  }
  return { kind: 'by-name', inputs: graph }
}

/** IEEE 754 half-precision bits of a number (round to nearest even). */
export function toHalf(value: number): number {
  const f32 = new Float32Array([value])
  const x = new Uint32Array(f32.buffer)[0]!
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    let half = mant >>> shift
    const rem = mant & ((1 << shift) - 1)
    const mid = 1 << (shift - 1)
    if (rem > mid || (rem === mid && half & 1)) half++
    return sign | half
  }
  let half = (e << 10) | (mant >>> 13)
  const rem = mant & 0x1fff
  // A carry out of the mantissa rounds into the exponent (and up to infinity), as it should.
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++
  return sign | half
}

type Source = ArrayLike<unknown>

const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'])

/** `src` as an array of onnxruntime's element type `type`. */
export function castTo(type: string, src: Source, what: string): BatchTensor['data'] {
  const n = src.length
  const num = (i: number): number => {
    const v = src[i]
    const x =
      typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
      throw badValue(
        `Invalid input. '${what}' holds ${JSON.stringify(v)}; the model's graph takes ${type} values.`,
      )
    }
    if (INTEGER_TYPES.has(type) && !Number.isInteger(x)) {
      throw badValue(`Invalid input. '${what}' holds ${x}; the model's graph takes ${type} (whole numbers).`)
    }
    return x
  }
  switch (type) {
    case 'float32':
      if (src instanceof Float32Array) return src
      if (src instanceof Float64Array) return Float32Array.from(src)
      return Float32Array.from({ length: n }, (_, i) => num(i))
    case 'float64':
      if (src instanceof Float64Array) return src
      return Float64Array.from({ length: n }, (_, i) => num(i))
    case 'float16':
      return Uint16Array.from({ length: n }, (_, i) => toHalf(num(i)))
    case 'int64':
      if (src instanceof BigInt64Array) return src
      return BigInt64Array.from({ length: n }, (_, i) => BigInt(num(i)))
    case 'uint64':
      if (src instanceof BigUint64Array) return src
      return BigUint64Array.from({ length: n }, (_, i) => BigInt(num(i)))
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => num(i))
    case 'int16':
      return Int16Array.from({ length: n }, (_, i) => num(i))
    case 'int8':
      return Int8Array.from({ length: n }, (_, i) => num(i))
    case 'uint32':
      return Uint32Array.from({ length: n }, (_, i) => num(i))
    case 'uint16':
      return Uint16Array.from({ length: n }, (_, i) => num(i))
    case 'uint8':
    case 'bool':
      return Uint8Array.from({ length: n }, (_, i) => num(i))
    case 'string':
      return Array.from({ length: n }, (_, i) => {
        const v = src[i]
        if (typeof v !== 'string')
          throw badValue(
            `Invalid input. '${what}' holds ${JSON.stringify(v)}; the model's graph takes strings.`,
          )
        return v
      })
    default:
      throw badValue(`The model's graph takes ${type} values, which Cairn cannot feed`)
  }
}

/** A column as numbers (no-signature tables arrive as plain JSON values). */
function numbers(name: string, col: Float64Array | unknown[]): Float64Array | unknown[] {
  if (col instanceof Float64Array) return col
  return col.every((v) => typeof v === 'string') ? col : numericColumn(name, 'double', col, true)
}

function matrixFeed(plan: Extract<FeedPlan, { kind: 'matrix' }>, input: ModelInput): BatchTensor {
  const { input: graph, rank } = plan
  const dims = (rows: number, width: number): number[] => (rank === 2 ? [rows, width] : [rows * width])
  if (input.kind === 'tensors') {
    const only = Object.values(input.tensors)
    if (only.length !== 1)
      throw badValue(`Invalid input. The model takes one tensor, '${graph.name}'; got ${only.length}.`)
    return tensorFeed(graph.name, graph.type, only[0]!)
  }
  const names = Object.keys(input.columns)
  const rows = input.rows
  const width = names.length
  if (rank === 1 && width !== 1) throw badValue(`Invalid input. The model takes one column; got ${width}.`)
  const cols = names.map((n) => numbers(n, input.columns[n]!))
  if (width === 1)
    return { type: graph.type, dims: dims(rows, 1), data: castTo(graph.type, cols[0]!, names[0]!) }
  if (graph.type === 'float32' || graph.type === 'float64') {
    const m = graph.type === 'float32' ? new Float32Array(rows * width) : new Float64Array(rows * width)
    for (let c = 0; c < width; c++) {
      const col = cols[c]!
      if (!(col instanceof Float64Array)) {
        throw badValue(
          `Invalid input. Column '${names[c]}' is not numeric; the model's graph takes ${graph.type}.`,
        )
      }
      for (let r = 0; r < rows; r++) m[r * width + c] = col[r]!
    }
    return { type: graph.type, dims: dims(rows, width), data: m }
  }
  const flat = new Array<unknown>(rows * width)
  for (let c = 0; c < width; c++)
    for (let r = 0; r < rows; r++) flat[r * width + c] = (cols[c] as ArrayLike<unknown>)[r]
  return { type: graph.type, dims: dims(rows, width), data: castTo(graph.type, flat, graph.name) }
}

function tensorFeed(name: string, type: string, t: Tensor): BatchTensor {
  return { type, dims: t.shape, data: castTo(type, t.data, name) }
}

/** The feeds for one request; `dims[0]` of each is the request's rows. */
export function buildFeeds(plan: FeedPlan, input: ModelInput): Tensors {
  if (plan.kind === 'matrix') return { [plan.input.name]: matrixFeed(plan, input) }
  const feeds: Tensors = {}
  const single = plan.inputs.length === 1
  for (const g of plan.inputs) {
    if (input.kind === 'tensors') {
      const t = input.tensors[g.name] ?? (single ? Object.values(input.tensors)[0] : undefined)
      if (!t) throw badValue(`Invalid input. The model's graph needs the tensor '${g.name}'.`)
      feeds[g.name] = tensorFeed(g.name, g.type, t)
    } else {
      const col = input.columns[g.name]
      if (!col) throw badValue(`Invalid input. The model's graph needs the column '${g.name}'.`)
      const dims = g.shape.length === 2 ? [input.rows, 1] : [input.rows]
      feeds[g.name] = { type: g.type, dims, data: castTo(g.type, numbers(g.name, col), g.name) }
    }
  }
  return feeds
}

/**
 * The `onnx` flavor (MLflow's layout): the graph named by `flavors.onnx.data` run with
 * onnxruntime-node on the CPU. A missing or unreadable file is a load error naming it. Only
 * tensor outputs are fetched (sequence/map outputs such as a ZipMap cannot cross to JS); a graph
 * with none cannot be served.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { CairnError } from '../../../protocol/errors.js'
import type { MLmodel, OnnxFlavor } from '../../../models/index.js'
import {
  MicroBatcher,
  type BatchingOptions,
  type BatchTensor,
  type Tensors,
} from '../batching/micro-batcher.js'
import type { LoadedModel, ModelOrigin, OutputTensor, Prediction } from '../types.js'
import { dtypeOfOrt, OIP_OF_DTYPE, schemaMetadata } from './metadata.js'
import { buildFeeds, planFeeds, type GraphInput } from './onnx-feeds.js'

export interface OnnxLoadArgs {
  dir: string
  mlmodel: MLmodel
  flavor: OnnxFlavor
  origin: ModelOrigin
  batching: BatchingOptions
  /** Called with the rows of every runtime call (the batch-size metric). */
  onRun?: (rows: number) => void
}

const loadError = (message: string, cause?: unknown): CairnError =>
  new CairnError('INVALID_PARAMETER_VALUE', message, cause === undefined ? undefined : { cause })

function sessionOptions(conf: Record<string, unknown> | null): ort.InferenceSession.SessionOptions {
  const int = (key: string): number | undefined => {
    const v = conf?.[key]
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined
  }
  // One intra-op thread unless the model asks for more: small models gain nothing from a thread
  // pool, and the event loop needs the other core.
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: int('intra_op_num_threads') ?? 1,
    interOpNumThreads: int('inter_op_num_threads') ?? 1,
  }
}

const shapeOf = (shape: ReadonlyArray<number | string>): number[] =>
  shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1))

/** Half-precision bits to numbers, for answers. */
function fromHalf(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length)
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!
    const s = h & 0x8000 ? -1 : 1
    const e = (h >>> 10) & 0x1f
    const m = h & 0x3ff
    out[i] =
      e === 0 ? s * m * 2 ** -24 : e === 0x1f ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15)
  }
  return out
}

function toOutput(name: string, t: BatchTensor): OutputTensor {
  const dtype = dtypeOfOrt(t.type)
  const data = t.type === 'float16' ? fromHalf(t.data as Uint16Array) : (t.data as OutputTensor['data'])
  return { name, dtype: t.type === 'float16' ? 'float32' : dtype, shape: t.dims, data }
}

export async function loadOnnxModel(args: OnnxLoadArgs): Promise<LoadedModel> {
  const { dir, mlmodel, flavor, origin } = args
  const path = join(dir, flavor.data)
  const info = await stat(path).catch(() => null)
  if (!info?.isFile()) {
    throw new CairnError(
      'RESOURCE_DOES_NOT_EXIST',
      `The model's ONNX file ${flavor.data} is missing from ${dir}`,
    )
  }
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(await readFile(path), sessionOptions(flavor.sessionOptions))
  } catch (err) {
    throw loadError(`${flavor.data} is not a valid ONNX model: ${(err as Error).message}`, err)
  }
  try {
    const graph: GraphInput[] = session.inputMetadata.map((m) => {
      if (!m.isTensor) throw loadError(`The ONNX graph's input '${m.name}' is not a tensor`)
      return { name: m.name, type: m.type, shape: shapeOf(m.shape) }
    })
    const outputs = session.outputMetadata.filter((m) => m.isTensor)
    if (outputs.length === 0) throw loadError('The ONNX graph has no tensor outputs to answer with')
    const fetches = outputs.map((m) => m.name)
    const signature = mlmodel.signature ?? null
    const plan = planFeeds(graph, signature?.inputs ?? null)
    const run = async (feeds: Tensors): Promise<Tensors> => {
      const ortFeeds: Record<string, ort.Tensor> = {}
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims)
      }
      const result = await session.run(ortFeeds, fetches)
      const out: Tensors = {}
      for (const name of fetches) {
        const t = result[name]!
        out[name] = { type: t.type, dims: [...t.dims], data: t.data }
      }
      return out
    }
    const batcher = new MicroBatcher(run, args.batching, args.onRun)
    const orient = (kind: 'columns' | 'tensors'): Prediction['orient'] =>
      kind === 'columns' ? 'records' : 'tensors'
    return {
      origin,
      flavor: 'onnx',
      mlmodel,
      signature,
      inputs: signature?.inputs
        ? schemaMetadata(signature.inputs)
        : graph.map((g) => ({ name: g.name, datatype: OIP_OF_DTYPE[dtypeOfOrt(g.type)], shape: g.shape })),
      outputs: outputs.map((m) => ({
        name: m.name,
        datatype: OIP_OF_DTYPE[dtypeOfOrt(m.isTensor ? m.type : 'object')],
        shape: m.isTensor ? shapeOf(m.shape) : [-1],
      })),
      async predict(input): Promise<Prediction> {
        const out = await batcher.submit(buildFeeds(plan, input), input.rows)
        return {
          rows: input.rows,
          outputs: fetches.map((name) => toOutput(name, out[name]!)),
          orient: orient(input.kind),
        }
      },
      async dispose() {
        await session.release()
      },
    }
  } catch (err) {
    await session.release().catch(() => {})
    throw err
  }
}

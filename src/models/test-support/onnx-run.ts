/** Runs an exported model in onnxruntime-node on rows of features (tests only). */
import ort from 'onnxruntime-node'

export interface OnnxAnswer {
  label?: (string | number)[]
  probabilities?: number[][]
  prediction?: number[]
}

export async function runExport(bytes: Uint8Array, x: readonly ArrayLike<number>[]): Promise<OnnxAnswer> {
  const session = await ort.InferenceSession.create(bytes)
  try {
    const f = x[0]!.length
    const input = new ort.Tensor('float32', Float32Array.from(x.flatMap((r) => Array.from(r))), [x.length, f])
    const out = await session.run({ input })
    const answer: OnnxAnswer = {}
    if (out['label']) {
      answer.label = Array.from(out['label'].data as ArrayLike<string | number | bigint>, (v) =>
        typeof v === 'bigint' ? Number(v) : v,
      )
    }
    const p = out['probabilities']
    if (p) {
      const k = p.dims[1]!
      const data = Array.from(p.data as Float32Array)
      answer.probabilities = Array.from({ length: x.length }, (_, i) => data.slice(i * k, (i + 1) * k))
    }
    if (out['prediction']) answer.prediction = Array.from(out['prediction'].data as Float32Array)
    return answer
  } finally {
    await session.release()
  }
}

/** The largest absolute difference between two matrices of the same shape. */
export function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))))
  return m
}

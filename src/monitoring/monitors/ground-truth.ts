/**
 * Joins predictions with the ground truth sent to `/feedback`, by request id. A request of one
 * row takes the ground truth as sent; a request of n rows takes a list of n values (one per row,
 * in order), and anything else for it is left unjoined (counted, never guessed).
 *
 * Which output is the prediction: `output` when given, else `label`, `predictions`, `prediction`,
 * then the first output. Scores for AUC: `score_output` when given, else `probabilities` (the
 * positive class's column: the last one of two, as classifiers order classes [0, 1]), `probability`
 * or `score`.
 */
import type { PredictionRows } from './prediction-log-reader.js'

export type Cell = number | string | null

export interface LabelledRows {
  /** Prediction time of each joined row, epoch ms. */
  times: number[]
  predicted: Cell[]
  truth: Cell[]
  /** Positive-class scores, when the model gives them. */
  scores: (number | null)[] | null
  /** Rows with an id in the feedback but a ground truth that could not be matched to them. */
  unmatched: number
  /** The output used as the prediction, and the one used for scores. */
  output: string | null
  scoreOutput: string | null
}

export interface JoinOptions {
  output?: string
  scoreOutput?: string
  /** Index of the positive class in a probabilities output (default: the last of two). */
  positiveIndex?: number
}

function cell(v: unknown): Cell {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  // Single-value lists ([[3.2]] outputs of shape [rows, 1]) are the value.
  if (Array.isArray(v) && v.length === 1) return cell(v[0])
  return null
}

function pickOutput(
  outputs: Map<string, unknown[]>,
  wanted: string | undefined,
  prefs: string[],
): string | null {
  if (wanted !== undefined) return outputs.has(wanted) ? wanted : null
  for (const p of prefs) if (outputs.has(p)) return p
  return null
}

function scoreOf(v: unknown, positiveIndex: number | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (Array.isArray(v)) {
    if (v.length === 1) return scoreOf(v[0], undefined)
    const i = positiveIndex ?? (v.length === 2 ? 1 : -1)
    const s: unknown = i >= 0 ? v[i] : undefined
    return typeof s === 'number' && Number.isFinite(s) ? s : null
  }
  return null
}

export function joinGroundTruth(
  rows: PredictionRows,
  truth: ReadonlyMap<string, unknown>,
  opts: JoinOptions = {},
): LabelledRows {
  const output =
    pickOutput(rows.outputs, opts.output, ['label', 'predictions', 'prediction']) ??
    (opts.output === undefined ? ([...rows.outputs.keys()][0] ?? null) : null)
  const scoreOutput = pickOutput(rows.outputs, opts.scoreOutput, ['probabilities', 'probability', 'score'])
  const predictedCol = output !== null ? rows.outputs.get(output)! : null
  const scoreCol = scoreOutput !== null ? rows.outputs.get(scoreOutput)! : null
  const out: LabelledRows = {
    times: [],
    predicted: [],
    truth: [],
    scores: scoreCol ? [] : null,
    unmatched: 0,
    output,
    scoreOutput,
  }
  let i = 0
  while (i < rows.rows) {
    // The rows of one request are consecutive and share its id.
    const id = rows.requestIds[i]!
    let n = 1
    while (i + n < rows.rows && rows.requestIds[i + n] === id && id !== '') n++
    const t = id === '' ? undefined : truth.get(id)
    if (t !== undefined) {
      const values =
        n === 1
          ? [Array.isArray(t) && t.length === 1 ? t[0] : t]
          : Array.isArray(t) && t.length === n
            ? t
            : null
      if (values === null) out.unmatched += n
      else {
        for (let k = 0; k < n; k++) {
          const g = cell(values[k])
          if (g === null) {
            out.unmatched++
            continue
          }
          out.times.push(rows.times[i + k]!)
          out.truth.push(g)
          out.predicted.push(predictedCol ? cell(predictedCol[i + k]) : null)
          out.scores?.push(scoreCol ? scoreOf(scoreCol[i + k], opts.positiveIndex) : null)
        }
      }
    }
    i += n
  }
  return out
}

/**
 * Windows of `sizeMs` ending at `end`, `end - stepMs`, … while they fit in [start, end), oldest
 * first, each with the indexes of the rows whose time falls in it. A window longer than the range
 * is the range itself.
 */
export function slidingWindows(
  times: readonly number[],
  range: { start: number; end: number; sizeMs: number; stepMs: number },
): { start: number; end: number; rows: number[] }[] {
  const { start, end, stepMs } = range
  if (range.sizeMs <= 0 || stepMs <= 0 || end <= start) return []
  const size = Math.min(range.sizeMs, end - start)
  const out: { start: number; end: number; rows: number[] }[] = []
  for (let we = end; we - size >= start; we -= stepMs) out.push({ start: we - size, end: we, rows: [] })
  out.reverse()
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!
    for (const w of out) if (t >= w.start && t < w.end) w.rows.push(i)
  }
  return out
}

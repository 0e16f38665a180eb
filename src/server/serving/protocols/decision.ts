/**
 * What `POST /predict` answers for one row: a label (or value), the confidence behind it and the
 * threshold used. The kind of model is read from its outputs:
 *
 * - probabilities (`probabilities`, `probability`, `output_probability`, or the one [N, K] float
 *   output): a classifier. Two classes: class 1 when P(class 1) ≥ threshold (default 0.5,
 *   `?threshold=` overrides), confidence = the probability of the label returned. More classes:
 *   the most probable, no threshold (asking for one is a 400).
 * - a label only (`label`, or one integer/string output): that label, confidence and threshold null.
 * - one float value per row: a regressor. The prediction is the value; with a threshold (query or
 *   `--threshold`) it becomes `labels[1]` when value ≥ threshold else `labels[0]` (true/false
 *   without labels), and the value is returned as `value`.
 *
 * Class names: `--labels` (index i names class i), else the MLmodel's `metadata.classes`.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { MLmodel } from '../../../models/index.js'
import type { OutputTensor, Prediction } from '../types.js'
import { rowValue } from './output-format.js'

export interface Decision {
  prediction: unknown
  confidence: number | null
  threshold: number | null
  /** Regressors: the model's value. */
  value?: number
}

export interface DecisionOptions {
  labels?: readonly string[]
  /** From the query string. */
  threshold?: number
  /** The deployment's default (`--threshold`). */
  defaultThreshold?: number
}

const PROBA_NAMES = ['probabilities', 'probability', 'output_probability', 'probas']
const LABEL_NAMES = ['label', 'labels', 'output_label', 'predictions', 'prediction']
const FLOATS = new Set(['float16', 'float32', 'float64'])

const isFloat = (o: OutputTensor): boolean => FLOATS.has(o.dtype)

function probabilityOutput(outputs: OutputTensor[]): OutputTensor | undefined {
  const named = outputs.find((o) => PROBA_NAMES.includes(o.name) && o.shape.length === 2)
  if (named) return named
  const matrices = outputs.filter((o) => isFloat(o) && o.shape.length === 2 && (o.shape[1] ?? 0) >= 2)
  return matrices.length === 1 ? matrices[0] : undefined
}

function labelOutput(outputs: OutputTensor[]): OutputTensor | undefined {
  return (
    outputs.find((o) => LABEL_NAMES.includes(o.name) && !isFloat(o)) ??
    outputs.find((o) => !isFloat(o) && o.shape.length === 1)
  )
}

/** The classes of a classifier, from the MLmodel's metadata (Cairn's exports write them). */
export function classesOf(mlmodel: MLmodel): unknown[] | undefined {
  const c = mlmodel.metadata?.['classes']
  return Array.isArray(c) ? c : undefined
}

function className(index: number, opts: DecisionOptions, classes: unknown[] | undefined): unknown {
  if (opts.labels) {
    const name = opts.labels[index]
    if (name === undefined) {
      throw new CairnError(
        'INVALID_STATE',
        `--labels names ${opts.labels.length} classes; the model has a class ${index}.`,
      )
    }
    return name
  }
  return classes?.[index] ?? index
}

function noThreshold(opts: DecisionOptions, why: string): void {
  if (opts.threshold !== undefined)
    throw new CairnError('INVALID_PARAMETER_VALUE', `'threshold' does not apply: ${why}`)
}

export function decide(p: Prediction, mlmodel: MLmodel, opts: DecisionOptions): Decision {
  const classes = classesOf(mlmodel)
  const proba = probabilityOutput(p.outputs)
  if (proba) {
    const probs = rowValue(proba, 0) as number[]
    if (probs.length === 2) {
      const t = opts.threshold ?? opts.defaultThreshold ?? 0.5
      const p1 = probs[1]!
      const positive = p1 >= t
      return {
        prediction: className(positive ? 1 : 0, opts, classes),
        confidence: positive ? p1 : 1 - p1,
        threshold: t,
      }
    }
    noThreshold(opts, `the model has ${probs.length} classes; the most probable one is answered`)
    let best = 0
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i
    return { prediction: className(best, opts, classes), confidence: probs[best]!, threshold: null }
  }
  const label = labelOutput(p.outputs)
  if (label) {
    noThreshold(opts, 'the model answers labels only, without probabilities')
    const v = rowValue(label, 0)
    const at = classes ? classes.indexOf(v) : typeof v === 'number' ? v : -1
    const named = opts.labels && at >= 0 ? className(at, opts, classes) : v
    return { prediction: named, confidence: null, threshold: null }
  }
  const single = p.outputs.length === 1 ? p.outputs[0]! : undefined
  if (single && isFloat(single) && (single.shape.length === 1 || single.shape[1] === 1)) {
    const value = Number((single.data as ArrayLike<number>)[0])
    const t = opts.threshold ?? opts.defaultThreshold
    if (t === undefined) return { prediction: value, confidence: null, threshold: null, value }
    const above = value >= t
    const prediction = opts.labels ? className(above ? 1 : 0, opts, undefined) : above
    return { prediction, confidence: null, threshold: t, value }
  }
  throw new CairnError(
    'INVALID_STATE',
    `/predict cannot read this model's outputs (${p.outputs.map((o) => `${o.name} ${o.dtype}[${o.shape.join(', ')}]`).join(', ')}); use /invocations or /v2/models/…/infer.`,
  )
}

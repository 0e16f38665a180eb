/**
 * The model families the `train` step fans out over, on Cairn's own learners (src/models): each
 * trains on the training period and exports to ONNX taking the raw feature columns, so the served
 * model needs nothing but the features.
 */
import {
  GradientBoostingClassifier,
  LogisticRegression,
  RandomForestClassifier,
  exportLinearClassifier,
  type Matrix,
} from '../../../src/models/index.js'

export const MODEL_FAMILIES = ['logistic_regression', 'gradient_boosting', 'random_forest'] as const
export type ModelFamily = (typeof MODEL_FAMILIES)[number]

export interface HyperParams {
  /** Trees (boosting, forest). */
  nTrees: number
  maxDepth: number
  learningRate: number
  minSamplesLeaf: number
  /** L2 penalty (logistic regression). */
  l2: number
  seed: number
}

export const DEFAULT_HYPER: HyperParams = {
  nTrees: 100,
  maxDepth: 3,
  learningRate: 0.05,
  minSamplesLeaf: 20,
  l2: 1e-3,
  seed: 7,
}

export interface TrainedModel {
  family: ModelFamily
  /** The hyperparameters this family used, as logged. */
  params: Record<string, number | string>
  /** P(UP) per row. */
  predictUp(x: Matrix): Float64Array
  toOnnx(): Uint8Array
}

export function isModelFamily(v: unknown): v is ModelFamily {
  return typeof v === 'string' && (MODEL_FAMILIES as readonly string[]).includes(v)
}

/** Column means and standard deviations of the training rows (a zero spread counts as 1). */
function standardizer(x: Matrix): { mean: number[]; sd: number[] } {
  const f = x[0]!.length
  const mean = new Array<number>(f).fill(0)
  const sd = new Array<number>(f).fill(0)
  for (const row of x) for (let j = 0; j < f; j++) mean[j]! += row[j]! / x.length
  for (const row of x) for (let j = 0; j < f; j++) sd[j]! += (row[j]! - mean[j]!) ** 2 / (x.length - 1)
  return { mean, sd: sd.map((v) => (v > 0 ? Math.sqrt(v) : 1)) }
}

/**
 * Logistic regression on standardized features. The scaling is folded into the weights
 * (w/σ, b − Σ wμ/σ), so the exported LinearClassifier reads raw features like the tree models.
 */
function logistic(x: Matrix, y: number[], hp: HyperParams): TrainedModel {
  const { mean, sd } = standardizer(x)
  const scaled = x.map((row) => Array.from(row, (v, j) => (v - mean[j]!) / sd[j]!))
  const lr = LogisticRegression.fit(scaled, y, { l2: hp.l2, maxIterations: 300 })
  const w = lr.coefficients[0]!.map((c, j) => c / sd[j]!)
  const b = lr.intercepts[0]! - w.reduce((s, wj, j) => s + wj * mean[j]!, 0)
  return {
    family: 'logistic_regression',
    params: { l2: hp.l2, max_iterations: 300, standardized: 'train mean/sd folded into weights' },
    predictUp: (rows) =>
      Float64Array.from(rows, (row) => 1 / (1 + Math.exp(-w.reduce((s, wj, j) => s + wj * row[j]!, b)))),
    toOnnx: () =>
      exportLinearClassifier({
        coefficients: [w],
        intercepts: [b],
        classes: lr.classes,
        metadata: { cairn_learner: 'LogisticRegression', classes: JSON.stringify(lr.classes) },
      }),
  }
}

export function trainModel(family: ModelFamily, x: Matrix, y: number[], hp: HyperParams): TrainedModel {
  const up = (proba: number[][]): Float64Array => Float64Array.from(proba, (p) => p[1]!)
  switch (family) {
    case 'logistic_regression':
      return logistic(x, y, hp)
    case 'gradient_boosting': {
      const opts = {
        nTrees: hp.nTrees,
        learningRate: hp.learningRate,
        maxDepth: hp.maxDepth,
        minSamplesLeaf: hp.minSamplesLeaf,
        subsample: 0.8,
        seed: hp.seed,
      }
      const m = GradientBoostingClassifier.fit(x, y, opts)
      return {
        family,
        params: {
          n_trees: opts.nTrees,
          learning_rate: opts.learningRate,
          max_depth: opts.maxDepth,
          min_samples_leaf: opts.minSamplesLeaf,
          subsample: opts.subsample,
          seed: opts.seed,
        },
        predictUp: (rows) => up(m.predictProba(rows)),
        toOnnx: () => m.toOnnx(),
      }
    }
    case 'random_forest': {
      const opts = {
        nTrees: hp.nTrees,
        maxDepth: hp.maxDepth + 2,
        minSamplesLeaf: hp.minSamplesLeaf,
        seed: hp.seed,
      }
      const m = RandomForestClassifier.fit(x, y, opts)
      return {
        family,
        params: {
          n_trees: opts.nTrees,
          max_depth: opts.maxDepth,
          min_samples_leaf: opts.minSamplesLeaf,
          seed: opts.seed,
        },
        predictUp: (rows) => up(m.predictProba(rows)),
        toOnnx: () => m.toOnnx(),
      }
    }
  }
}

/**
 * A learner as a `js`-flavor model: one generic ES module (`model.mjs`, below) plus the learned
 * parameters in `model.json`. Inputs are the learner's features as named columns; classifiers
 * answer `{ label, probabilities }`, regressors one prediction per row — the same numbers the
 * learner's own predict gives.
 */
import type { JsModelSource } from '../save-model.js'
import { GradientBoostingClassifier, GradientBoostingRegressor } from './boosting.js'
import { bad } from './common.js'
import { LinearRegression, LogisticRegression } from './linear.js'
import { TreeEnsembleClassifier, TreeEnsembleRegressor } from './trees.js'

export type Learner =
  | LinearRegression
  | LogisticRegression
  | TreeEnsembleClassifier
  | TreeEnsembleRegressor
  | GradientBoostingClassifier
  | GradientBoostingRegressor

/** Kept dependency-free and self-contained: it runs wherever the model folder is copied. */
export const LEARNER_MODULE = `// Cairn js-flavor module for a learner exported with toJsModel(); parameters in model.json.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function load(dir) {
  return JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
}

const sigmoid = (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))
const softmax = (z) => {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}
const argmax = (p) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0)
const leaf = (tree, row) => {
  let n = tree
  while (n.kind === 'split') n = Math.fround(row[n.feature]) <= n.threshold ? n.left : n.right
  return n.value
}
const dot = (w, row, b) => w.reduce((s, v, j) => s + v * row[j], b)

export function predict(inputs, _params, m) {
  const cols = m.features.map((f) => {
    if (!(f in inputs)) throw new Error('missing column ' + f)
    return inputs[f]
  })
  const n = cols.length ? cols[0].length : 0
  const rows = Array.from({ length: n }, (_, i) => cols.map((c) => Number(c[i])))
  const classify = (proba) => {
    const probabilities = rows.map(proba)
    return { label: probabilities.map((p) => m.classes[argmax(p)]), probabilities }
  }
  switch (m.kind) {
    case 'linear-regressor':
      return Float64Array.from(rows, (r) => dot(m.coefficients, r, m.intercept))
    case 'linear-classifier':
      return classify((r) => {
        const z = m.coefficients.map((w, k) => dot(w, r, m.intercepts[k]))
        return z.length === 1 ? [1 - sigmoid(z[0]), sigmoid(z[0])] : softmax(z)
      })
    case 'average-classifier':
      return classify((r) => {
        const p = m.classes.map(() => 0)
        for (const t of m.trees) leaf(t, r).forEach((v, c) => (p[c] += v))
        return p.map((v) => v / m.trees.length)
      })
    case 'logistic-classifier': {
      const probabilities = rows.map((r) => m.trees.reduce((s, t) => s + leaf(t, r)[0], m.base))
      return {
        label: probabilities.map((z) => m.classes[z > 0 ? 1 : 0]),
        probabilities: probabilities.map((z) => [1 - sigmoid(z), sigmoid(z)]),
      }
    }
    case 'average-regressor':
      return Float64Array.from(rows, (r) => m.trees.reduce((s, t) => s + leaf(t, r)[0], 0) / m.trees.length)
    case 'sum-regressor':
      return Float64Array.from(rows, (r) => m.trees.reduce((s, t) => s + leaf(t, r)[0], m.base))
    default:
      throw new Error('unknown model kind ' + m.kind)
  }
}
`

function parameters(model: Learner): Record<string, unknown> {
  if (model instanceof LinearRegression) {
    return { kind: 'linear-regressor', coefficients: model.coefficients, intercept: model.intercept }
  }
  if (model instanceof LogisticRegression) {
    return {
      kind: 'linear-classifier',
      classes: model.classes,
      coefficients: model.coefficients,
      intercepts: model.intercepts,
    }
  }
  if (model instanceof TreeEnsembleClassifier) {
    return { kind: 'average-classifier', classes: model.classes, trees: model.trees }
  }
  if (model instanceof GradientBoostingClassifier) {
    return { kind: 'logistic-classifier', classes: model.classes, trees: model.trees, base: model.baseScore }
  }
  if (model instanceof TreeEnsembleRegressor) return { kind: 'average-regressor', trees: model.trees }
  return { kind: 'sum-regressor', trees: model.trees, base: model.baseValue }
}

const featureCount = (model: Learner): number =>
  model instanceof LinearRegression ? model.coefficients.length : model.nFeatures

/** The learner as a js-flavor source for saveModel / run.logModel; `featureNames` name its columns. */
export function toJsModel(model: Learner, featureNames: string[]): JsModelSource {
  if (featureNames.length !== featureCount(model)) {
    throw bad(`The model takes ${featureCount(model)} features; ${featureNames.length} names were given`)
  }
  return {
    flavor: 'js',
    entry: 'model.mjs',
    code: LEARNER_MODULE,
    files: { 'model.json': JSON.stringify({ features: featureNames, ...parameters(model) }) },
  }
}

import { beforeAll, describe, expect, it } from 'vitest'
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../learners/boosting.js'
import { LinearRegression, LogisticRegression } from '../learners/linear.js'
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
} from '../learners/trees.js'
import { maxAbsDiff, runExport } from '../test-support/onnx-run.js'
import { sp500Features, type Sp500Features } from '../test-support/sp500.js'
import { onnxTensorSpecs } from './proto.js'
import { exportTreeEnsembleClassifier, type TreeNode } from './trees.js'

let data: Sp500Features
beforeAll(() => {
  data = sp500Features()
})

interface Classifier {
  classes: (string | number)[]
  predict(x: number[][]): (string | number)[]
  predictProba(x: number[][]): number[][]
  toOnnx(): Uint8Array
}

async function expectSameClassifier(model: Classifier, x: number[][]): Promise<void> {
  const onnx = await runExport(model.toOnnx(), x)
  expect(onnx.label).toEqual(model.predict(x))
  expect(maxAbsDiff(onnx.probabilities!, model.predictProba(x))).toBeLessThan(1e-5)
  // Label and probabilities agree in the export itself.
  onnx.probabilities!.forEach((p, i) => {
    const best = p.indexOf(Math.max(...p))
    expect(onnx.label![i]).toBe(model.classes[best])
  })
}

async function expectSameRegressor(
  model: { predict(x: number[][]): Float64Array; toOnnx(): Uint8Array },
  x: number[][],
) {
  const onnx = await runExport(model.toOnnx(), x)
  const own = Array.from(model.predict(x))
  expect(onnx.prediction).toHaveLength(own.length)
  onnx.prediction!.forEach((v, i) =>
    expect(Math.abs(v - own[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(own[i]!))),
  )
}

describe('ONNX exports on S&P 500 features, run in onnxruntime-node', () => {
  it('has thousands of real trading days to learn from', () => {
    expect(data.x.length).toBeGreaterThan(5000)
    expect(new Set(data.direction)).toEqual(new Set(['UP', 'DOWN']))
    expect(new Set(data.move)).toEqual(new Set([0, 1, 2]))
  })

  it('linear regression: predictions equal the model’s own', async () => {
    await expectSameRegressor(LinearRegression.fit(data.x, data.nextReturn, { l2: 1e-6 }), data.x)
  })

  it('binary logistic regression with string labels: labels equal, probabilities within 1e-5', async () => {
    await expectSameClassifier(LogisticRegression.fit(data.x, data.direction, { l2: 1e-3 }), data.x)
  })

  it('multinomial logistic regression (three classes): labels equal, probabilities within 1e-5', async () => {
    await expectSameClassifier(
      LogisticRegression.fit(data.x, data.move, { l2: 1e-3, maxIterations: 200 }),
      data.x,
    )
  })

  it('decision tree classifier: labels equal, probabilities within 1e-5', async () => {
    await expectSameClassifier(
      DecisionTreeClassifier.fit(data.x, data.direction, { maxDepth: 8, minSamplesLeaf: 3 }),
      data.x,
    )
  })

  it('random forest, two classes: label and P(class 1) agree as the model’s own', async () => {
    await expectSameClassifier(
      RandomForestClassifier.fit(data.x, data.direction, { nTrees: 15, maxDepth: 6, seed: 7 }),
      data.x,
    )
  })

  it('random forest, three classes: labels equal, probabilities within 1e-5', async () => {
    await expectSameClassifier(
      RandomForestClassifier.fit(data.x, data.move, { nTrees: 15, maxDepth: 6, seed: 3 }),
      data.x,
    )
  })

  it('gradient-boosted trees, two classes (sigmoid): labels equal, probabilities within 1e-5', async () => {
    const gbt = GradientBoostingClassifier.fit(data.x, data.direction, { nTrees: 40, maxDepth: 3, seed: 1 })
    await expectSameClassifier(gbt, data.x)
    // Both labels occur, so the agreement is not a constant answer.
    expect(new Set(gbt.predict(data.x)).size).toBe(2)
  })

  it('decision tree, random forest and boosted regressors: predictions equal the model’s own', async () => {
    await expectSameRegressor(DecisionTreeRegressor.fit(data.x, data.nextReturn, { maxDepth: 6 }), data.x)
    await expectSameRegressor(
      RandomForestRegressor.fit(data.x, data.nextReturn, { nTrees: 10, seed: 5 }),
      data.x,
    )
    await expectSameRegressor(GradientBoostingRegressor.fit(data.x, data.nextReturn, { nTrees: 30 }), data.x)
  })

  it('declares one float input [N, F] and plain label / probabilities outputs', () => {
    const lr = LogisticRegression.fit(data.x.slice(0, 500), data.direction.slice(0, 500))
    expect(onnxTensorSpecs(lr.toOnnx())).toEqual({
      inputs: [{ kind: 'tensor', name: 'input', dtype: 'float32', shape: [-1, data.names.length] }],
      outputs: [
        { kind: 'tensor', name: 'label', dtype: 'str', shape: [-1] },
        { kind: 'tensor', name: 'probabilities', dtype: 'float32', shape: [-1, 2] },
      ],
    })
  })
})

describe('two-class tree ensembles', () => {
  const leaf = (v: number): TreeNode => ({ kind: 'leaf', value: [v] })
  const stump = (a: number, b: number): TreeNode => ({
    kind: 'split',
    feature: 0,
    threshold: 0,
    left: leaf(a),
    right: leaf(b),
  })

  it('label follows the sigmoid when every boosted leaf is positive', async () => {
    // Raw scores 0.3 and 0.2 (P ≈ 0.57, 0.55): class 1 both, though neither is above 0.5.
    const bytes = exportTreeEnsembleClassifier({
      trees: [stump(0.3, 0.2)],
      nFeatures: 1,
      classes: [0, 1],
      output: 'logistic',
    })
    const out = await runExport(bytes, [[-1], [1]])
    expect(out.label).toEqual([1, 1])
    expect(out.probabilities![0]![1]).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 6)
  })

  it('label follows the sigmoid with a negative base score and positive leaves', async () => {
    const bytes = exportTreeEnsembleClassifier({
      trees: [stump(0.3, 0.5)],
      nFeatures: 1,
      classes: ['DOWN', 'UP'],
      output: 'logistic',
      baseScore: [-0.4],
    })
    const out = await runExport(bytes, [[-1], [1]])
    expect(out.label).toEqual(['DOWN', 'UP'])
    expect(out.probabilities![0]![1]).toBeCloseTo(1 / (1 + Math.exp(0.1)), 6)
  })

  it('averaged trees answer [1 - p, p] and class 1 only above 0.5', async () => {
    const t: TreeNode = {
      kind: 'split',
      feature: 0,
      threshold: 0,
      left: { kind: 'leaf', value: [0.5, 0.5] },
      right: { kind: 'leaf', value: [0.25, 0.75] },
    }
    const out = await runExport(
      exportTreeEnsembleClassifier({ trees: [t, t], nFeatures: 1, classes: [0, 1], output: 'average' }),
      [[-1], [1]],
    )
    expect(out.label).toEqual([0, 1])
    expect(out.probabilities).toEqual([
      [0.5, 0.5],
      [0.25, 0.75],
    ])
  })
})

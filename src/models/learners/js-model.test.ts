import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadJsModel } from '../js-flavor.js'
import { saveModel } from '../save-model.js'
import { maxAbsDiff, runExport } from '../test-support/onnx-run.js'
import { sp500Features, type Sp500Features } from '../test-support/sp500.js'
import { GradientBoostingClassifier, GradientBoostingRegressor } from './boosting.js'
import { toJsModel, type Learner } from './js-model.js'
import { LinearRegression, LogisticRegression } from './linear.js'
import { RandomForestClassifier, RandomForestRegressor } from './trees.js'

let data: Sp500Features
let root: string
let n = 0
beforeAll(async () => {
  const all = sp500Features()
  // A year of days keeps the js runs quick; the ONNX tests cover every day.
  data = {
    ...all,
    x: all.x.slice(-250),
    direction: all.direction.slice(-250),
    nextReturn: all.nextReturn.slice(-250),
  }
  root = await mkdtemp(join(tmpdir(), 'cairn-js-model-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const columns = (x: number[][], names: string[]): Record<string, Float64Array> =>
  Object.fromEntries(names.map((name, j) => [name, Float64Array.from(x, (r) => r[j]!)]))

async function jsPredict(model: Learner): Promise<unknown> {
  const dir = join(root, `m${n++}`)
  const full = sp500Features()
  await saveModel(dir, toJsModel(model, full.names), {
    inputExample: columns(data.x.slice(0, 3), full.names),
  })
  return (await loadJsModel(dir)).predict(columns(data.x, full.names))
}

describe('learners as js-flavor models', () => {
  it('classifiers answer the labels and probabilities of the learner and of its ONNX export', async () => {
    const train = sp500Features()
    const learners = [
      LogisticRegression.fit(train.x, train.direction),
      RandomForestClassifier.fit(train.x, train.direction, { nTrees: 10, seed: 2 }),
      GradientBoostingClassifier.fit(train.x, train.direction, { nTrees: 20 }),
    ]
    for (const model of learners) {
      const js = (await jsPredict(model)) as { label: unknown[]; probabilities: number[][] }
      expect(js.label).toEqual(model.predict(data.x))
      expect(maxAbsDiff(js.probabilities, model.predictProba(data.x))).toBeLessThan(1e-12)
      const onnx = await runExport(model.toOnnx(), data.x)
      expect(js.label).toEqual(onnx.label)
    }
  })

  it('regressors answer the learner’s predictions', async () => {
    const train = sp500Features()
    for (const model of [
      LinearRegression.fit(train.x, train.nextReturn),
      RandomForestRegressor.fit(train.x, train.nextReturn, { nTrees: 5 }),
      GradientBoostingRegressor.fit(train.x, train.nextReturn, { nTrees: 10 }),
    ]) {
      expect(Array.from((await jsPredict(model)) as Float64Array)).toEqual(Array.from(model.predict(data.x)))
    }
  })

  it('refuses feature names of the wrong count', () => {
    const lr = LinearRegression.fit(
      [
        [1, 2],
        [2, 1],
        [3, 5],
      ],
      [1, 2, 3],
    )
    expect(() => toJsModel(lr, ['a'])).toThrow(/takes 2 features; 1 names/)
  })
})

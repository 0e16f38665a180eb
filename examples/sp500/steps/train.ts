/**
 * `train` (one fan-out item per model family): trains on the oldest days, scores the validation
 * and test periods against the "always UP" baseline, logs params, metrics, the dataset version
 * and the ONNX model (signature and input example) to its own step run.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StepContext } from '../../../src/pipelines/index.js'
import type { DatasetInfo } from '../lib/dataset.js'
import { logDatasetInput } from '../lib/dataset.js'
import { featuresFromCsv, rowRecord } from '../lib/features.js'
import { baselineScores, score, type Scores } from '../lib/metrics.js'
import { isModelFamily, trainModel, type HyperParams } from '../lib/models.js'
import { period, timeSplit, xOf, yOf } from '../lib/split.js'
import { inputDir, numberParam, stepRun } from './context.js'

export interface TrainReport {
  model: string
  run_id: string
  model_uri: string
  val: Scores
  test: Scores
  baseline_val: Scores
  baseline_test: Scores
  periods: { train: string; val: string; test: string }
}

const prefixed = (prefix: string, s: Scores): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [`${prefix}${k}`, v]))

export async function train(ctx: StepContext): Promise<Record<string, unknown>> {
  const family = ctx.item ?? ctx.params['model']
  if (!isModelFamily(family))
    throw new Error(
      `unknown model family ${JSON.stringify(family)}; known: logistic_regression, gradient_boosting, random_forest`,
    )
  const dir = inputDir(ctx, 'features')
  const table = featuresFromCsv(await readFile(join(dir, 'features.csv'), 'utf8'))
  const meta = JSON.parse(await readFile(join(dir, 'features.json'), 'utf8')) as { dataset: DatasetInfo }
  const split = timeSplit(table.rows, numberParam(ctx, 'val_fraction'), numberParam(ctx, 'test_fraction'))
  const hp: HyperParams = {
    nTrees: numberParam(ctx, 'n_trees'),
    maxDepth: numberParam(ctx, 'max_depth'),
    learningRate: numberParam(ctx, 'learning_rate'),
    minSamplesLeaf: numberParam(ctx, 'min_samples_leaf'),
    l2: numberParam(ctx, 'l2'),
    seed: numberParam(ctx, 'seed'),
  }
  const started = performance.now()
  const model = trainModel(family, xOf(split.train), yOf(split.train), hp)
  const trainSeconds = (performance.now() - started) / 1000
  const upRate = yOf(split.train).reduce((a, b) => a + b, 0) / split.train.length
  const val = score(yOf(split.val), model.predictUp(xOf(split.val)))
  const test = score(yOf(split.test), model.predictUp(xOf(split.test)))
  const baselineVal = baselineScores(yOf(split.val), upRate)
  const baselineTest = baselineScores(yOf(split.test), upRate)

  const { client, run } = await stepRun(ctx)
  await run.logParams({
    model_family: family,
    ...Object.fromEntries(Object.entries(model.params).map(([k, v]) => [`model.${k}`, v])),
    train_period: period(split.train),
    val_period: period(split.val),
    test_period: period(split.test),
    features: table.names.join(','),
  })
  await run.logMetrics({
    ...prefixed('val_', val),
    ...prefixed('test_', test),
    ...prefixed('baseline_val_', baselineVal),
    ...prefixed('baseline_test_', baselineTest),
    val_accuracy_lift: val.accuracy - baselineVal.accuracy,
    val_log_loss_gain: baselineVal.log_loss - val.log_loss,
    test_accuracy_lift: test.accuracy - baselineTest.accuracy,
    test_log_loss_gain: baselineTest.log_loss - test.log_loss,
    train_up_share: upRate,
    n_train: split.train.length,
    n_val: split.val.length,
    n_test: split.test.length,
    train_seconds: trainSeconds,
  })
  await run.setTags({ model_family: family, 'dataset.digest': meta.dataset.digest })
  await logDatasetInput(client, ctx.runId, meta.dataset, 'training')
  const logged = await run.logModel(
    'model',
    { flavor: 'onnx', onnx: model.toOnnx() },
    {
      inputExample: split.val.slice(-5).map((r) => rowRecord(table, r)),
      metadata: {
        classes: [0, 1],
        class_names: ['DOWN', 'UP'],
        label: "1 (UP) when the next day's close is above this day's close",
        model_family: family,
        features: table.names,
        dataset_digest: meta.dataset.digest,
      },
    },
  )
  await run.flush()
  const fmt = (s: Scores): string =>
    `acc ${s.accuracy.toFixed(4)} auc ${s.roc_auc.toFixed(4)} f1 ${s.f1.toFixed(4)} logloss ${s.log_loss.toFixed(4)}`
  console.log(`${family}: trained on ${split.train.length} days in ${trainSeconds.toFixed(1)} s`)
  console.log(`  validation ${period(split.val)}: ${fmt(val)} | always UP: ${fmt(baselineVal)}`)
  console.log(`  test       ${period(split.test)}: ${fmt(test)} | always UP: ${fmt(baselineTest)}`)
  const report: TrainReport = {
    model: family,
    run_id: ctx.runId,
    model_uri: logged.modelUri,
    val,
    test,
    baseline_val: baselineVal,
    baseline_test: baselineTest,
    periods: { train: period(split.train), val: period(split.val), test: period(split.test) },
  }
  return { model_uri: logged.modelUri, report }
}

/**
 * `reference`: the training period's features, profiled and stored beside the registered version
 * (`monitoring/profile.json` and inferred `expectations.yaml` in its artifact folder). A monitor on
 * `models:/sp500-updown@champion` compares later data with the profile of whichever version is
 * champion, so the reference follows every retrain. The same rows are also the step's artifact
 * `reference` (`reference.csv`), a file `cairn monitor report --reference` can read.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { computeAndStoreProfile } from '../../../src/monitoring/artifacts/model-artifacts.js'
import { tableFromColumns } from '../../../src/monitoring/table/table.js'
import type { StepContext } from '../../../src/pipelines/index.js'
import { featuresFromCsv } from '../lib/features.js'
import { period } from '../lib/split.js'
import { featureColumns, featureColumnsCsv, trainingRows } from '../lib/windows.js'
import { inputDir, numberParam, outputDir, stepRun, stringParam } from './context.js'

export async function reference(ctx: StepContext): Promise<Record<string, unknown>> {
  const name = stringParam(ctx, 'model_name')
  const version = stringParam(ctx, 'version')
  const features = featuresFromCsv(await readFile(join(inputDir(ctx, 'features'), 'features.csv'), 'utf8'))
  const rows = trainingRows(features, numberParam(ctx, 'val_fraction'), numberParam(ctx, 'test_fraction'))
  await writeFile(join(outputDir(ctx, 'reference'), 'reference.csv'), featureColumnsCsv(features, rows))
  const { client, run } = await stepRun(ctx)
  const stored = await computeAndStoreProfile(
    client,
    { name, version },
    tableFromColumns(featureColumns(features, rows)),
    { source: { period: period(rows) }, overwriteExpectations: true },
  )
  await run.setTags({ 'reference.period': period(rows), 'reference.model_version': `${name}/${version}` })
  await run.logMetrics({ reference_rows: rows.length })
  await run.flush()
  console.log(
    `reference of ${name} version ${version}: the training period ${period(rows)}, ${rows.length} days × ${features.names.length} features, stored in ${stored.location}/monitoring/`,
  )
  return { rows: rows.length, period: period(rows) }
}

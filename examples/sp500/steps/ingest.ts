/**
 * `ingest`: reads the price CSV from a path or an http(s) URL, validates it, and stores it as the
 * versioned dataset artifact (named by its content hash), logged as the step run's dataset input.
 */
import type { StepContext } from '../../../src/pipelines/index.js'
import { parsePriceCsv, readSource } from '../lib/data.js'
import { logDatasetInput, writeDataset } from '../lib/dataset.js'
import { numberParam, outputDir, stepRun, stringParam } from './context.js'

export async function ingest(ctx: StepContext): Promise<Record<string, unknown>> {
  const location = stringParam(ctx, 'data')
  const from = await readSource(location)
  const table = parsePriceCsv(from.text, { source: from.uri, minRows: numberParam(ctx, 'min_rows') })
  const info = await writeDataset(outputDir(ctx, 'dataset'), table, from)
  const { client, run } = await stepRun(ctx)
  await logDatasetInput(client, ctx.runId, info, 'ingest')
  await run.setTags({ 'dataset.digest': info.digest, 'dataset.source': info.source })
  await run.logMetrics({ rows: info.rows })
  await run.flush()
  console.log(
    `dataset ${info.name}@${info.digest}: ${info.rows} rows, ${info.first_date} → ${info.last_date}, columns ${info.columns.join(',')} (from ${info.source})`,
  )
  return { digest: info.digest, rows: info.rows, last_date: info.last_date }
}

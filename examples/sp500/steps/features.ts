/** `features`: the feature table of the ingested dataset (lib/features.ts), with next-day labels. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StepContext } from '../../../src/pipelines/index.js'
import { readDataset } from '../lib/dataset.js'
import { computeFeatures, featuresToCsv } from '../lib/features.js'
import { inputDir, outputDir, stepRun } from './context.js'

export async function features(ctx: StepContext): Promise<Record<string, unknown>> {
  const { info, table } = await readDataset(inputDir(ctx, 'dataset'))
  const ft = computeFeatures(table.rows, table.columns)
  const labelled = ft.rows.filter((r) => r.label !== null)
  const up = labelled.filter((r) => r.label === 1).length
  const out = outputDir(ctx, 'features')
  await writeFile(join(out, 'features.csv'), featuresToCsv(ft))
  const meta = {
    names: ft.names,
    rows: ft.rows.length,
    labelled_rows: labelled.length,
    first_date: ft.rows[0]?.date ?? null,
    last_date: ft.rows.at(-1)?.date ?? null,
    up_share: labelled.length > 0 ? up / labelled.length : null,
    dataset: info,
  }
  await writeFile(join(out, 'features.json'), `${JSON.stringify(meta, null, 2)}\n`)
  const { run } = await stepRun(ctx)
  await run.setTags({ 'features.names': ft.names.join(','), 'dataset.digest': info.digest })
  await run.logMetrics({
    feature_rows: ft.rows.length,
    labelled_rows: labelled.length,
    up_share: meta.up_share ?? 0,
  })
  await run.flush()
  const skipped = table.columns.volume ? '' : ' (no volume column: no volume z-score)'
  console.log(
    `${ft.rows.length} feature rows × ${ft.names.length} features${skipped}: ${ft.names.join(', ')}`,
  )
  return { rows: ft.rows.length, feature_names: ft.names }
}

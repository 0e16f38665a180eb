/**
 * The versioned dataset artifact `ingest` writes: the canonical CSV named by its content hash
 * (`sp500-<digest>.csv`) and `dataset.json` describing it, plus the MLflow dataset record
 * (`runs/log-inputs`) that ties a run to that exact version.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TRACKING_API, type CairnClient } from '../../../src/index.js'
import { parsePriceCsv, sha256, toCanonicalCsv, type PriceTable, type SourceText } from './data.js'

export const DATASET_NAME = 'sp500'

export interface DatasetInfo {
  name: string
  /** The first 16 hex digits of the SHA-256 of the canonical CSV: the dataset's version. */
  digest: string
  sha256: string
  file: string
  source: string
  source_type: 'http' | 'local'
  rows: number
  first_date: string
  last_date: string
  columns: string[]
}

/** Writes the canonical CSV and dataset.json into `dir`; nothing in them depends on when or where. */
export async function writeDataset(dir: string, table: PriceTable, from: SourceText): Promise<DatasetInfo> {
  const csv = toCanonicalCsv(table)
  const hash = sha256(csv)
  const info: DatasetInfo = {
    name: DATASET_NAME,
    digest: hash.slice(0, 16),
    sha256: hash,
    file: `${DATASET_NAME}-${hash.slice(0, 16)}.csv`,
    source: from.uri,
    source_type: from.sourceType,
    rows: table.rows.length,
    first_date: table.rows[0]!.date,
    last_date: table.rows[table.rows.length - 1]!.date,
    columns: csv.slice(0, csv.indexOf('\n')).split(','),
  }
  await writeFile(join(dir, info.file), csv)
  await writeFile(join(dir, 'dataset.json'), `${JSON.stringify(info, null, 2)}\n`)
  return info
}

export async function readDataset(dir: string): Promise<{ info: DatasetInfo; table: PriceTable }> {
  const files = await readdir(dir)
  if (!files.includes('dataset.json'))
    throw new Error(`${dir} holds no dataset.json (files: ${files.join(', ')})`)
  const info = JSON.parse(await readFile(join(dir, 'dataset.json'), 'utf8')) as DatasetInfo
  const csv = await readFile(join(dir, info.file), 'utf8')
  if (sha256(csv) !== info.sha256) throw new Error(`${info.file} does not match its recorded SHA-256`)
  return { info, table: parsePriceCsv(csv, { source: info.file }) }
}

/** Records the dataset version as an input of a run, as MLflow's `mlflow.log_input` does. */
export async function logDatasetInput(
  client: CairnClient,
  runId: string,
  info: DatasetInfo,
  context: string,
): Promise<void> {
  const colspec = info.columns.map((name) => ({
    type: name === 'date' ? 'string' : 'double',
    name,
    required: true,
  }))
  await client.http.call(TRACKING_API.logInputs, {
    run_id: runId,
    datasets: [
      {
        tags: [{ key: 'mlflow.data.context', value: context }],
        dataset: {
          name: info.name,
          digest: info.digest,
          source_type: info.source_type,
          source: JSON.stringify(info.source_type === 'http' ? { url: info.source } : { uri: info.source }),
          schema: JSON.stringify({ mlflow_colspec: colspec }),
          profile: JSON.stringify({
            num_rows: info.rows,
            num_elements: info.rows * info.columns.length,
            first_date: info.first_date,
            last_date: info.last_date,
          }),
        },
      },
    ],
  })
}

/**
 * A model's training data as given at registration (`run.logModel(…, { registeredModelName,
 * trainingData })`): a file, records or a Table, read into a Table before anything is logged so a
 * wrong path or column name fails early, then profiled beside the new version.
 */
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import { tableFromRecords } from '../table/builder.js'
import { readTable, type ReadTableOptions } from '../table/read.js'
import type { Table } from '../table/table.js'
import {
  computeAndStoreProfile,
  type MonitoringClient,
  type StoreProfileOptions,
  type StoredMonitoringArtifacts,
} from './model-artifacts.js'

/** A dataset file (CSV, TSV, JSON Lines, JSON, Parquet), a list of records, or a Table. */
export type TrainingData = string | readonly Readonly<Record<string, unknown>>[] | Table

export interface TrainingProfileOptions extends StoreProfileOptions {
  /** How a file is read (format, row limits). */
  read?: Omit<ReadTableOptions, 'columns'>
}

const isTable = (d: TrainingData): d is Table =>
  typeof d === 'object' && !Array.isArray(d) && 'columns' in d && 'rowCount' in d

/** The training data as a Table, checked to hold the target and prediction columns named. */
export async function trainingTable(data: TrainingData, opts: TrainingProfileOptions = {}): Promise<Table> {
  const table =
    typeof data === 'string'
      ? await readTable(data, opts.read ?? {})
      : isTable(data)
        ? data
        : tableFromRecords(data)
  const names = new Set(table.columns.map((c) => c.name))
  const prediction = typeof opts.prediction === 'string' ? [opts.prediction] : (opts.prediction ?? [])
  const wanted = [...(opts.target ? [opts.target] : []), ...prediction, ...(opts.categorical ?? [])]
  const unknown = wanted.filter((c) => !names.has(c))
  if (unknown.length > 0) {
    throw invalidParameter(
      `The training data has no column ${unknown.map((c) => `'${c}'`).join(', ')} (columns: ${[...names].join(', ')})`,
    )
  }
  if (table.rowCount === 0) throw invalidParameter('The training data has no rows to profile')
  return table
}

/**
 * Profiles the training table beside a just-registered version. The version exists whatever
 * happens here, so a failure says so and how to store the profile again.
 */
export async function storeTrainingProfile(
  client: MonitoringClient,
  version: { name: string; version: string },
  table: Table,
  opts: StoreProfileOptions = {},
): Promise<StoredMonitoringArtifacts> {
  try {
    return await computeAndStoreProfile(client, version, table, opts)
  } catch (err) {
    const message = `Registered ${version.name} version ${version.version}, but storing its training-data profile failed: ${(err as Error).message}. Store it with \`cairn monitor profile models:/${version.name}/${version.version} DATA\`.`
    throw new CairnError(err instanceof CairnError ? err.code : 'INTERNAL_ERROR', message, { cause: err })
  }
}

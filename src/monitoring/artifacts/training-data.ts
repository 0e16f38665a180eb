/**
 * A model's training data given at registration (`run.logModel(…, { registeredModelName,
 * trainingData })`): a file, records or a Table, read before anything is logged so a wrong path
 * or column fails early. Its profile and expectations are written into the model folder before
 * it is uploaded, so they are there the moment the version exists — a server following
 * `models:/m/latest` with `--validate` never loads the version without them — and the version
 * is tagged once registered.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RegistryClient } from '../../client/registry.js'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import type { ModelVersion } from '../../protocol/registry-entities.js'
import { computeProfile } from '../profile/profile.js'
import { serializeProfile } from '../profile/serialize.js'
import type { Profile } from '../profile/types.js'
import { tableFromRecords } from '../table/builder.js'
import { readTable, type ReadTableOptions } from '../table/read.js'
import type { Table } from '../table/table.js'
import { inferExpectations, serializeExpectations, type Expectations } from '../validation/expectations.js'
import {
  EXPECTATIONS_ARTIFACT,
  EXPECTATIONS_TAG,
  PROFILE_ARTIFACT,
  PROFILE_TAG,
  versionLocation,
  type StoreProfileOptions,
  type StoredMonitoringArtifacts,
} from './model-artifacts.js'

/** A dataset file (CSV, TSV, JSON Lines, JSON, Parquet), a list of records, or a Table. */
export type TrainingData = string | readonly Readonly<Record<string, unknown>>[] | Table

export interface TrainingProfileOptions extends Omit<StoreProfileOptions, 'overwriteExpectations'> {
  /** How a file is read (format, row limits). */
  read?: Omit<ReadTableOptions, 'columns'>
}

const isTable = (d: TrainingData): d is Table =>
  typeof d === 'object' && !Array.isArray(d) && 'columns' in d && 'rowCount' in d

/** The training data as a Table, checked to hold the target, prediction and categorical columns named. */
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

export interface TrainingFiles {
  profile: Profile
  expectations: Expectations | null
}

/** Profiles the table and writes monitoring/profile.json (and expectations.yaml) into a local model folder. */
export async function writeTrainingFiles(
  modelDir: string,
  table: Table,
  opts: TrainingProfileOptions & { source: Record<string, string> },
): Promise<TrainingFiles> {
  const { read: _read, expectations: infer, ...profileOpts } = opts
  const profile = computeProfile(table, profileOpts)
  await mkdir(join(modelDir, 'monitoring'), { recursive: true })
  await writeFile(join(modelDir, PROFILE_ARTIFACT), serializeProfile(profile))
  if (infer === false) return { profile, expectations: null }
  const expectations = inferExpectations(profile, typeof infer === 'object' ? infer : {})
  const model = opts.source['model'] ?? 'the model'
  const comment = `Inferred from the training data profile of ${model} (${profile.rowCount} rows, ${profile.createdAt}).`
  await writeFile(join(modelDir, EXPECTATIONS_ARTIFACT), serializeExpectations(expectations, comment))
  return { profile, expectations }
}

/** Tags the new version with the files it holds; the version exists whatever happens, so a failure says so. */
export async function tagTrainingFiles(
  registry: RegistryClient,
  version: ModelVersion,
  files: TrainingFiles,
): Promise<StoredMonitoringArtifacts> {
  try {
    await registry.setModelVersionTag(version.name, version.version, PROFILE_TAG, PROFILE_ARTIFACT)
    if (files.expectations)
      await registry.setModelVersionTag(
        version.name,
        version.version,
        EXPECTATIONS_TAG,
        EXPECTATIONS_ARTIFACT,
      )
  } catch (err) {
    const message = `Registered ${version.name} version ${version.version} with its training-data profile, but tagging it failed: ${(err as Error).message}`
    throw new CairnError(err instanceof CairnError ? err.code : 'INTERNAL_ERROR', message, { cause: err })
  }
  return {
    modelVersion: version,
    location: versionLocation(version),
    profile: files.profile,
    expectations: files.expectations,
    expectationsWritten: files.expectations !== null,
  }
}

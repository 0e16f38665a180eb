/**
 * Where a model version's monitoring files live: in the version's own artifact folder (its
 * storage location, e.g. `mlflow-artifacts:/1/<run>/artifacts/model`), as
 *
 *   monitoring/profile.json        the reference profile (cairn.profile v1)
 *   monitoring/expectations.yaml   the data expectations (cairn.expectations v1), editable
 *
 * written and read through the tracking server's artifact proxy (or directly for local paths),
 * and announced by the version tag `cairn.monitoring.profile`. Everything goes through the SDK.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { artifactBaseUrl } from '../../client/artifacts.js'
import type { CairnClient } from '../../client/client.js'
import { CairnApiError } from '../../client/errors.js'
import { CairnError } from '../../protocol/errors.js'
import type { ModelVersion } from '../../protocol/registry-entities.js'
import { localPathOf } from '../../server/artifacts/location.js'
import { computeProfile } from '../profile/profile.js'
import { parseProfile, serializeProfile } from '../profile/serialize.js'
import type { Profile, ProfileOptions } from '../profile/types.js'
import type { Table } from '../table/table.js'
import {
  inferExpectations,
  parseExpectations,
  serializeExpectations,
  type Expectations,
  type InferOptions,
} from '../validation/expectations.js'

/** What these functions use of the SDK: a CairnClient, or the same three parts of one (run.logModel has them). */
export type MonitoringClient = Pick<CairnClient, 'http' | 'registry' | 'trackingUri'>

export const PROFILE_ARTIFACT = 'monitoring/profile.json'
export const EXPECTATIONS_ARTIFACT = 'monitoring/expectations.yaml'
export const PROFILE_TAG = 'cairn.monitoring.profile'
export const EXPECTATIONS_TAG = 'cairn.monitoring.expectations'

/** The folder holding a version's files. */
export function versionLocation(
  v: Pick<ModelVersion, 'storageLocation' | 'source' | 'name' | 'version'>,
): string {
  const location = v.storageLocation || v.source
  if (!location)
    throw new CairnError('INVALID_STATE', `Model version ${v.name}/${v.version} has no storage location`)
  return location
}

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/')

/** Reads a file below a model folder; null when it does not exist. */
export async function readModelFile(
  client: MonitoringClient,
  location: string,
  path: string,
): Promise<string | null> {
  const local = localPathOf(location)
  if (local !== null) {
    try {
      return await readFile(join(local, path), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }
  const base = artifactBaseUrl(location, client.trackingUri)
  try {
    const res = await client.http.send({
      method: 'GET',
      path: `${base}/${encodePath(path)}`,
      timeoutMs: null,
    })
    return await res.text()
  } catch (err) {
    if (err instanceof CairnApiError && err.status === 404) return null
    throw err
  }
}

/** Writes (replaces) a file below a model folder. */
export async function writeModelFile(
  client: MonitoringClient,
  location: string,
  file: { path: string; content: string },
): Promise<void> {
  const local = localPathOf(location)
  if (local !== null) {
    const target = join(local, file.path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, file.content)
    return
  }
  const base = artifactBaseUrl(location, client.trackingUri)
  const body = Buffer.from(file.content, 'utf8')
  await client.http.send({
    method: 'PUT',
    path: `${base}/${encodePath(file.path)}`,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
    body: () => body,
  })
}

/** The version with its storage location (getModelVersion leaves it out; resolving fills it in). */
async function resolveVersion(
  client: MonitoringClient,
  ref: ModelVersion | { name: string; version: string },
): Promise<{ mv: ModelVersion; location: string }> {
  if ('storageLocation' in ref && ref.storageLocation) return { mv: ref, location: ref.storageLocation }
  const resolved = await client.registry.resolve(`models:/${ref.name}/${ref.version}`)
  const mv = resolved.modelVersion ?? (await client.registry.getModelVersion(ref.name, ref.version))
  return { mv, location: resolved.modelVersion ? versionLocation(resolved.modelVersion) : resolved.location }
}

export interface StoreProfileOptions extends ProfileOptions {
  /** Also infer and store expectations (default true); an existing expectations file is kept unless `overwriteExpectations`. */
  expectations?: boolean | InferOptions
  overwriteExpectations?: boolean
}

export interface StoredMonitoringArtifacts {
  modelVersion: ModelVersion
  location: string
  profile: Profile
  /** The expectations now stored (inferred, or the existing file when it was kept). */
  expectations: Expectations | null
  expectationsWritten: boolean
}

/**
 * Profiles `table` (the training data, with target and predictions if given) and stores the
 * profile, and inferred expectations, beside the model version's files.
 *
 *   await computeAndStoreProfile(client, { name: 'churn', version: '3' }, trainTable, { target: 'churned' })
 */
export async function computeAndStoreProfile(
  client: MonitoringClient,
  modelVersion: ModelVersion | { name: string; version: string },
  table: Table,
  opts: StoreProfileOptions = {},
): Promise<StoredMonitoringArtifacts> {
  const { mv, location } = await resolveVersion(client, modelVersion)
  const profile = computeProfile(table, {
    ...opts,
    source: {
      model: mv.name,
      version: mv.version,
      ...(mv.runId ? { run_id: mv.runId } : {}),
      ...opts.source,
    },
  })
  await writeModelFile(client, location, { path: PROFILE_ARTIFACT, content: serializeProfile(profile) })
  await client.registry.setModelVersionTag(mv.name, mv.version, PROFILE_TAG, PROFILE_ARTIFACT)
  let expectations: Expectations | null = null
  let written = false
  if (opts.expectations !== false) {
    const existing = opts.overwriteExpectations
      ? null
      : await readModelFile(client, location, EXPECTATIONS_ARTIFACT)
    if (existing !== null) expectations = parseExpectations(existing, EXPECTATIONS_ARTIFACT)
    else {
      expectations = inferExpectations(
        profile,
        typeof opts.expectations === 'object' ? opts.expectations : {},
      )
      const comment = `Inferred from the profile of ${mv.name} version ${mv.version} (${profile.rowCount} rows, ${profile.createdAt}).`
      await writeModelFile(client, location, {
        path: EXPECTATIONS_ARTIFACT,
        content: serializeExpectations(expectations, comment),
      })
      await client.registry.setModelVersionTag(mv.name, mv.version, EXPECTATIONS_TAG, EXPECTATIONS_ARTIFACT)
      written = true
    }
  }
  return { modelVersion: mv, location, profile, expectations, expectationsWritten: written }
}

export interface MonitoringArtifacts {
  modelVersion: ModelVersion | null
  location: string
  profile: Profile | null
  expectations: Expectations | null
}

/** Resolves a model URI (`models:/m@champion`, `models:/m/3`, …) and reads its monitoring files. */
export async function loadMonitoringArtifacts(
  client: MonitoringClient,
  modelUri: string,
): Promise<MonitoringArtifacts> {
  const resolved = await client.registry.resolve(modelUri)
  const location = resolved.modelVersion ? versionLocation(resolved.modelVersion) : resolved.location
  const [profileText, expectationsText] = await Promise.all([
    readModelFile(client, location, PROFILE_ARTIFACT),
    readModelFile(client, location, EXPECTATIONS_ARTIFACT),
  ])
  return {
    modelVersion: resolved.modelVersion ?? null,
    location,
    profile: profileText === null ? null : parseProfile(profileText, `${modelUri} ${PROFILE_ARTIFACT}`),
    expectations:
      expectationsText === null
        ? null
        : parseExpectations(expectationsText, `${modelUri} ${EXPECTATIONS_ARTIFACT}`),
  }
}

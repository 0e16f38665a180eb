/**
 * `run.logModel`: what MLflow's `log_model` does, for Cairn's flavors. The model is saved to a
 * temporary folder (src/models saveModel, with the run's id and the artifact path in its
 * MLmodel), uploaded under the run's artifacts, recorded with runs/log-model (the server appends
 * it to the `mlflow.log-model.history` tag), and optionally registered.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnError } from '../protocol/errors.js'
import type { ModelVersion } from '../protocol/registry-entities.js'
import { TRACKING_API } from '../protocol/tracking-api.js'
import { mlmodelToDict, type MLmodel } from '../models/mlmodel.js'
import { saveModel, type ModelSource, type SaveModelOptions } from '../models/save-model.js'
import type { StoredMonitoringArtifacts } from '../monitoring/artifacts/model-artifacts.js'
import type { TrainingData, TrainingProfileOptions } from '../monitoring/artifacts/training-data.js'
import type { Table } from '../monitoring/table/table.js'
import { joinArtifactPath } from './artifacts.js'
import type { HttpClient } from './http.js'
import { RegistryClient } from './registry.js'
import type { CreateModelVersionOptions } from './registry-types.js'

export interface LogModelOptions extends Omit<SaveModelOptions, 'runId' | 'artifactPath'> {
  /** Registers the logged model as a new version of this registered model (created if missing). */
  registeredModelName?: string
  /** Options of the registration (tags, description, wait for READY). */
  registration?: Omit<CreateModelVersionOptions, 'runId'>
  /**
   * The model's training data (a dataset file, records or a monitoring Table). With
   * `registeredModelName`, its reference profile and inferred data expectations are stored beside
   * the new version (monitoring/profile.json, monitoring/expectations.yaml; docs/monitoring.md).
   */
  trainingData?: TrainingData
  /** How the training data is profiled: `target`, `prediction`, `categorical`, `expectations`, … */
  profile?: TrainingProfileOptions
}

export interface LoggedModel {
  /** `runs:/<run_id>/<artifact path>` */
  modelUri: string
  artifactPath: string
  mlmodel: MLmodel
  /** Set when `registeredModelName` was given. */
  version?: ModelVersion
  /** Set when `trainingData` was given: the stored profile and expectations. */
  monitoring?: StoredMonitoringArtifacts
}

/** What MLflow's client sends to runs/log-model (`Model.get_tags_dict()`): no signature or example. */
export function loggedModelJson(m: MLmodel): string {
  const d = mlmodelToDict(m)
  const tags: Record<string, unknown> = {}
  for (const k of ['run_id', 'utc_time_created', 'artifact_path', 'model_uuid'])
    if (d[k] !== undefined) tags[k] = d[k]
  tags['flavors'] = Object.fromEntries(
    Object.entries(m.flavors).map(([name, conf]) => [
      name,
      Object.fromEntries(Object.entries(conf).filter(([k]) => k !== 'config')),
    ]),
  )
  return JSON.stringify(tags)
}

export async function logModel(
  run: {
    runId: string
    http: HttpClient
    logArtifacts: (dir: string, artifactPath?: string) => Promise<void>
  },
  artifactPath: string,
  model: ModelSource,
  opts: LogModelOptions = {},
): Promise<LoggedModel> {
  const path = joinArtifactPath(artifactPath)
  if (path === '')
    throw new CairnError('INVALID_PARAMETER_VALUE', 'logModel needs an artifact path, e.g. "model"')
  const { registeredModelName, registration, trainingData, profile, ...saveOpts } = opts
  if (trainingData !== undefined && registeredModelName === undefined)
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      'trainingData is profiled beside a registered version: give registeredModelName too',
    )
  // Loaded only when asked for, so the SDK does not pull in the monitoring core (or its Parquet
  // reader) otherwise; read before anything is logged, so a bad path or column fails early. The
  // profile goes up inside the model folder, so the version never exists without it.
  let training: { module: typeof import('../monitoring/artifacts/training-data.js'); table: Table } | null =
    null
  if (trainingData !== undefined) {
    const module = await import('../monitoring/artifacts/training-data.js')
    training = { module, table: await module.trainingTable(trainingData, profile) }
  }
  const tmp = await mkdtemp(join(tmpdir(), 'cairn-log-model-'))
  try {
    const dir = join(tmp, 'model')
    const mlmodel = await saveModel(dir, model, { ...saveOpts, runId: run.runId, artifactPath: path })
    const files = training
      ? await training.module.writeTrainingFiles(dir, training.table, {
          ...profile,
          source: { model: registeredModelName!, run_id: run.runId, artifact_path: path, ...profile?.source },
        })
      : null
    await run.logArtifacts(dir, path)
    await run.http.call(TRACKING_API.logModel, { run_id: run.runId, model_json: loggedModelJson(mlmodel) })
    const modelUri = `runs:/${run.runId}/${path}`
    const logged: LoggedModel = { modelUri, artifactPath: path, mlmodel }
    if (registeredModelName !== undefined) {
      const registry = new RegistryClient(run.http)
      logged.version = await registry.registerModel(modelUri, registeredModelName, {
        ...registration,
        runId: run.runId,
      })
      if (training && files)
        logged.monitoring = await training.module.tagTrainingFiles(registry, logged.version, files)
    }
    return logged
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

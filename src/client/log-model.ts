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
import { joinArtifactPath } from './artifacts.js'
import type { HttpClient } from './http.js'
import { RegistryClient } from './registry.js'
import type { CreateModelVersionOptions } from './registry-types.js'

export interface LogModelOptions extends Omit<SaveModelOptions, 'runId' | 'artifactPath'> {
  /** Registers the logged model as a new version of this registered model (created if missing). */
  registeredModelName?: string
  /** Options of the registration (tags, description, wait for READY). */
  registration?: Omit<CreateModelVersionOptions, 'runId'>
}

export interface LoggedModel {
  /** `runs:/<run_id>/<artifact path>` */
  modelUri: string
  artifactPath: string
  mlmodel: MLmodel
  /** Set when `registeredModelName` was given. */
  version?: ModelVersion
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
  const { registeredModelName, registration, ...saveOpts } = opts
  const tmp = await mkdtemp(join(tmpdir(), 'cairn-log-model-'))
  try {
    const dir = join(tmp, 'model')
    const mlmodel = await saveModel(dir, model, { ...saveOpts, runId: run.runId, artifactPath: path })
    await run.logArtifacts(dir, path)
    await run.http.call(TRACKING_API.logModel, { run_id: run.runId, model_json: loggedModelJson(mlmodel) })
    const modelUri = `runs:/${run.runId}/${path}`
    const logged: LoggedModel = { modelUri, artifactPath: path, mlmodel }
    if (registeredModelName !== undefined) {
      logged.version = await new RegistryClient(run.http).registerModel(modelUri, registeredModelName, {
        ...registration,
        runId: run.runId,
      })
    }
    return logged
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

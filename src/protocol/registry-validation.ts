/**
 * MLflow's registry rules (mlflow/utils/validation.py, mlflow/entities/model_registry): model
 * names, version numbers, alias names and stages. Checked once, above every backend.
 */
import { invalidParameter } from './errors.js'
import { MODEL_VERSION_STAGES, type ModelVersionStage } from './registry-entities.js'

export const MAX_ALIAS_LENGTH = 255

const ALIAS_RE = /^[\w-]*$/
const VERSION_ALIAS_RE = /^[vV]\d+$/
const VERSION_RE = /^\s*[-+]?\d+\s*$/

export function validateModelName(name: string): void {
  if (name === '') throw invalidParameter('Registered model name cannot be empty.')
}

/** A version number from its wire form ("3"); MLflow's message for anything else. */
export function parseModelVersion(version: string): number {
  if (!VERSION_RE.test(version)) throw invalidParameter(`Model version must be an integer, got '${version}'`)
  const n = Number(version.trim())
  if (!Number.isSafeInteger(n)) throw invalidParameter(`Model version must be an integer, got '${version}'`)
  return n
}

/** `latest` (any case) and `v<digits>` are reserved: they already mean something in model URIs. */
export function validateAliasName(alias: string): void {
  if (!ALIAS_RE.test(alias)) {
    throw invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    )
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw invalidParameter(
      `Registered model alias name '${alias.slice(0, 250)}' had length ${alias.length}, which exceeded length limit of ${MAX_ALIAS_LENGTH}`,
    )
  }
  if (alias.toLowerCase() === 'latest')
    throw invalidParameter("'latest' alias name (case insensitive) is reserved.")
  if (VERSION_ALIAS_RE.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`)
}

/** A stage in its canonical spelling; input is case-insensitive, as MLflow's `get_canonical_stage`. */
export function canonicalStage(stage: string): ModelVersionStage {
  const found = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase())
  if (found === undefined) {
    throw invalidParameter(
      `Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`,
    )
  }
  return found
}

/** Stages a transition may archive the others from (MLflow's DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ['Staging', 'Production']

/**
 * runs/log-model: MLflow appends the model's MLmodel dict to the run's
 * `mlflow.log-model.history` tag (a JSON list). Kept as MLflow does it, over the store's
 * generic tag write, so the registry and UI can read logged models from one place.
 */
import { MLFLOW_TAGS } from '../../../protocol/entities.js'
import { invalidParameter } from '../../../protocol/errors.js'
import type { TrackingStore } from '../../store/tracking-store.js'

const MANDATORY = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const

export async function recordLoggedModel(store: TrackingStore, runId: string, modelJson: string): Promise<void> {
  let model: unknown
  try {
    model = JSON.parse(modelJson)
  } catch {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`)
  }
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a JSON object.`)
  }
  const missing = MANDATORY.filter((k) => !(k in model))
  if (missing.length > 0) {
    throw invalidParameter(`Model json is missing mandatory fields: ${JSON.stringify(missing)}`)
  }
  const run = await store.getRun(runId)
  const previous = run.data.tags.find((t) => t.key === MLFLOW_TAGS.logModelHistory)?.value
  let history: unknown[] = []
  if (previous) {
    try {
      const parsed: unknown = JSON.parse(previous)
      if (Array.isArray(parsed)) history = parsed
    } catch {
      // An unreadable history tag is replaced rather than blocking new models.
    }
  }
  history.push(model)
  await store.logBatch(runId, {
    metrics: [],
    params: [],
    tags: [{ key: MLFLOW_TAGS.logModelHistory, value: JSON.stringify(history) }],
  })
}

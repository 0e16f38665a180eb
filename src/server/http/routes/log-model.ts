/**
 * runs/log-model: MLflow appends the model's MLmodel dict to the run's
 * `mlflow.log-model.history` tag (a JSON list). Kept as MLflow does it, over the store's
 * generic tag write, so the registry and UI can read logged models from one place.
 *
 * The tag's text is what MLflow's server writes: the dict goes through `Model.from_dict(...)
 * .to_dict()` (which fixes the order of the known keys and drops null values) and the list is
 * written by Python's `json.dumps`. Clients that parse the tag see the same value either way;
 * the byte-identical text keeps the golden transcripts comparable.
 */
import { MLFLOW_TAGS } from '../../../protocol/entities.js'
import { invalidParameter } from '../../../protocol/errors.js'
import { dumpPyJson, parsePyJson, PyObject, type PyValue } from '../../../protocol/python-json.js'
import { validateTag } from '../../../protocol/validation.js'
import type { TrackingStore } from '../../store/tracking-store.js'

const MANDATORY = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const

/** Keys MLflow's Model constructor sets, in the order `to_dict` writes them; other keys follow. */
const KNOWN_ORDER = [
  'utc_time_created',
  'flavors',
  'signature',
  'saved_input_example_info',
  'model_uuid',
  'mlflow_version',
  'metadata',
  'model_size_bytes',
]

function isTruthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (v instanceof PyObject) return v.entries.size > 0
  if (typeof v === 'object' && 'int' in v) return v.int !== 0n
  if (typeof v === 'object' && 'float' in v) return v.float !== 0
  return true
}

/** The dict `Model.from_dict(model).to_dict()` returns. */
export function mlflowModelDict(model: PyObject): PyObject {
  const src = model.entries
  const out = new PyObject()
  const put = (k: string, v: PyValue | undefined): void => {
    if (v !== undefined && v !== null) out.entries.set(k, v)
  }
  // Model keeps run_id and artifact_path only when run_id is set.
  if (isTruthy(src.get('run_id'))) {
    put('run_id', src.get('run_id'))
    put('artifact_path', src.get('artifact_path'))
  }
  for (const k of KNOWN_ORDER) put(k, k === 'flavors' ? (src.get(k) ?? new PyObject()) : src.get(k))
  for (const [k, v] of src) if (k !== 'run_id' && k !== 'artifact_path' && !KNOWN_ORDER.includes(k)) put(k, v)
  return out
}

export async function recordLoggedModel(
  store: TrackingStore,
  runId: string,
  modelJson: string,
): Promise<void> {
  let model: PyValue
  try {
    model = parsePyJson(modelJson)
  } catch {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`)
  }
  if (!(model instanceof PyObject)) {
    throw invalidParameter(`Malformed model info. \n ${modelJson} \n is not a JSON object.`)
  }
  const missing = MANDATORY.filter((k) => !model.entries.has(k))
  if (missing.length > 0) {
    throw invalidParameter(
      `Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`,
    )
  }
  const run = await store.getRun(runId)
  const previous = run.data.tags.find((t) => t.key === MLFLOW_TAGS.logModelHistory)?.value
  let history: PyValue[] = []
  if (previous) {
    try {
      const parsed = parsePyJson(previous)
      if (Array.isArray(parsed)) history = parsed
    } catch {
      // An unreadable history tag is replaced rather than blocking new models.
    }
  }
  history.push(mlflowModelDict(model))
  const value = dumpPyJson(history)
  // MLflow checks the tag like any other, so a long history is refused rather than truncated.
  validateTag(MLFLOW_TAGS.logModelHistory, value)
  await store.logBatch(runId, {
    metrics: [],
    params: [],
    tags: [{ key: MLFLOW_TAGS.logModelHistory, value }],
  })
}

/**
 * The documented differences of registry.json (docs/mlflow-differences.md lists them for people).
 *
 * Two of them change state that later answers show, so they are applied as edits of MLflow's
 * recorded answers to every case whose answer shows that state:
 * - the recording registered versions whose `mlflow-artifacts:` sources were never uploaded.
 *   MLflow does not look and says READY; Cairn reads the source, finds nothing, and says
 *   FAILED_REGISTRATION with a status message;
 * - version 5 names a run that does not exist. Cairn refuses that (400); the harness registers it
 *   again without the run id, so the scenario goes on with a version 5 whose run_id is "".
 */
import type { Difference, FollowUp } from './difference-kit.js'
import { recordedExpectation } from './replay.js'
import { loadTranscript, type GoldenCase } from './transcript.js'

const UNKNOWN_RUN = '00000000000000000000000000000001'

type Json = unknown

/** Applies `edit` to every model version object (has `version`, `source` and `status`) in a JSON value. */
function editVersions(value: Json, edit: (v: Record<string, unknown>) => void): Json {
  if (Array.isArray(value)) value.forEach((x) => editVersions(x, edit))
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>
    if ('version' in o && 'source' in o && 'status' in o) edit(o)
    else for (const x of Object.values(o)) editVersions(x, edit)
  }
  return value
}

/** Sources the recording never uploaded: Cairn finds them missing. */
export const MISSING_SOURCES_FAIL = (value: Json): Json =>
  editVersions(value, (v) => {
    const source = v['source'] as string
    if (!source.startsWith('mlflow-artifacts:')) return
    v['status'] = 'FAILED_REGISTRATION'
    v['status_message'] = `The model source ${source} does not exist or is empty.`
  })

/** Version 5 was registered again without its unknown run. */
export const VERSION_5_HAS_NO_RUN = (value: Json): Json =>
  editVersions(value, (v) => {
    if (v['version'] === '5' && v['run_id'] === UNKNOWN_RUN) v['run_id'] = ''
  })

const MISSING_REASON =
  "Cairn reads a version's source when registering it: the mlflow-artifacts: sources the recording registered were never uploaded, so those versions are FAILED_REGISTRATION with a status message (MLflow: READY without looking)"
const RUN_REASON =
  'version 5 has run_id "": Cairn refused its unknown run, and the harness registered it without one'

const error = (status: number, errorCode: string, reason: string): Difference => ({
  status,
  errorCode,
  reason,
})
const wrongMethod = (allow: string): Difference => ({
  ...error(405, 'ENDPOINT_NOT_FOUND', 'a wrong method is a JSON 405 with an Allow header, not an HTML page'),
  headers: { Allow: allow },
})

/** Register version 5 as MLflow did, minus the run id Cairn refused. */
function registerWithoutRun(c: GoldenCase): FollowUp[] {
  const { run_id: _dropped, ...body } = c.body as Record<string, unknown>
  const expectation = recordedExpectation(c)
  expectation.body = {
    kind: 'json',
    value: MISSING_SOURCES_FAIL(VERSION_5_HAS_NO_RUN(structuredClone(c.response))),
  }
  return [
    {
      why: 'register version 5 without the unknown run id',
      request: { method: c.method, path: c.path, body },
      expect: expectation,
    },
  ]
}

const TABLE: Record<string, Difference> = {
  'registered-models get via POST (method check)': wrongMethod('GET, HEAD, OPTIONS'),
  'registered-models update via POST (method check)': wrongMethod('PATCH, OPTIONS'),
  'registered-models search via POST (method check)': wrongMethod('GET, HEAD, OPTIONS'),
  'model-versions search via POST (method check)': wrongMethod('GET, HEAD, OPTIONS'),
  'model-versions create unknown run_id': {
    ...error(
      400,
      'INVALID_PARAMETER_VALUE',
      "a version's run_id must name an existing run (MLflow stores any string)",
    ),
    followUps: registerWithoutRun,
  },
  'alias get after its version was deleted': error(
    400,
    'INVALID_PARAMETER_VALUE',
    'deleting a version deletes the aliases pointing at it, so the alias is not found (MLflow keeps the alias pointing at the deleted version and answers 404 for the version)',
  ),
  'registered-models final state': {
    patch: (r: { registered_model: { aliases?: { alias: string }[] } }) => {
      r.registered_model.aliases = (r.registered_model.aliases ?? []).filter((a) => a.alias !== 'temp')
      return r
    },
    reason: "the alias 'temp' went with its deleted version 6 (MLflow keeps it, pointing at nothing)",
  },
}

/** The registry's differences keyed by case name, with the state edits applied wherever they show. */
export function registryDifferences(): Record<string, Difference> {
  const out: Record<string, Difference> = { ...TABLE }
  for (const c of loadTranscript('registry').cases) {
    const recorded = c.response
    const before = JSON.stringify(recorded)
    const failed = JSON.stringify(MISSING_SOURCES_FAIL(structuredClone(recorded)))
    const noRun = JSON.stringify(VERSION_5_HAS_NO_RUN(structuredClone(recorded)))
    const reasons = [
      ...(failed !== before ? [MISSING_REASON] : []),
      ...(noRun !== before ? [RUN_REASON] : []),
    ]
    const d = out[c.name]
    if (reasons.length === 0 || d?.errorCode !== undefined) continue
    const edit = (v: Json): Json => MISSING_SOURCES_FAIL(VERSION_5_HAS_NO_RUN(v))
    out[c.name] = d
      ? { ...d, patch: d.patch ? (v) => edit(d.patch!(v)) : edit, reason: [d.reason, ...reasons].join('; ') }
      : { patch: edit, reason: reasons.join('; ') }
  }
  return out
}

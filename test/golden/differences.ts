/**
 * Every recorded case where Cairn deliberately answers differently from MLflow 2.10.2, keyed by
 * `<file>: <case name>`, with Cairn's answer and a one-line reason. docs/mlflow-differences.md
 * lists the same differences for people. Everything not listed here must match MLflow.
 *
 * Categories (from the transcripts' README, "Where Cairn should answer better"): a 5xx or HTML
 * page for bad input becomes a JSON 4xx; silently accepted invalid input becomes a 400; data loss
 * becomes storing what was sent; routes added by later MLflow versions answer as MLflow documents
 * them now. Then decisions of Cairn's own (compact JSON, its version, strict query strings) and
 * the search language's OR. Last, answers that differ only because an earlier difference left
 * other state behind (a run keeps its NaN metric, a refused tag is absent).
 */
import { CAIRN_VERSION } from '../../src/version.js'
import {
  applyDifference,
  both,
  editExperiments,
  editRuns,
  withoutTag,
  type Difference,
} from './difference-kit.js'
import type { Expectation } from './compare.js'
import { registryDifferences } from './differences-registry.js'
import { recordedExpectation } from './replay.js'
import { loadTranscript, type GoldenCase, type TranscriptFile } from './transcript.js'

export type { Difference } from './difference-kit.js'

export const differenceKey = (file: TranscriptFile, name: string): string => `${file}: ${name}`

const recorded = (file: TranscriptFile, name: string): GoldenCase => {
  const c = loadTranscript(file).cases.find((x) => x.name === name)
  if (!c) throw new Error(`no case ${file}: ${name}`)
  return c
}

const error = (status: number, errorCode: string, reason: string): Difference => ({
  status,
  errorCode,
  reason,
})
const badInput = (reason: string): Difference => error(400, 'INVALID_PARAMETER_VALUE', reason)
const noRoute = (reason: string): Difference => error(404, 'ENDPOINT_NOT_FOUND', reason)
const wrongMethod = (allow: string): Difference => ({
  ...error(405, 'ENDPOINT_NOT_FOUND', 'a wrong method is a JSON 405 with an Allow header, not an HTML page'),
  headers: { Allow: allow },
})

/** runs/create refused the body; the harness creates the run without its invalid tags instead. */
function createWithoutTags(
  why: string,
  expected: (recordedResponse: any) => unknown,
): Difference['followUps'] {
  return (c) => {
    const { tags: _tags, ...body } = c.body as Record<string, unknown>
    const expectation = recordedExpectation(c)
    expectation.body = { kind: 'json', value: expected(structuredClone(c.response)) }
    return [{ why, request: { method: c.method, path: c.path, body }, expect: expectation }]
  }
}

// State left behind by earlier differences, as edits of MLflow's recorded answers.
const RUN_1_KEEPS_WHAT_WAS_SENT = (v: unknown): unknown =>
  editRuns(v, '<RUN_1>', (run) => {
    for (const m of run.data.metrics ?? []) {
      if (m.key === 'nan_bare') Object.assign(m, { value: 'NaN', timestamp: 1000000000041 })
      if (m.key === 'inf_bare') Object.assign(m, { value: 1.7976931348623157e308, timestamp: 1000000000044 })
    }
    const inputs = run.inputs?.dataset_inputs as { dataset: { name: string; digest: string } }[] | undefined
    if (inputs)
      run.inputs.dataset_inputs = inputs.filter((i) => i.dataset.name !== '' && i.dataset.digest !== '')
  })
const RUN_7_HAS_NO_INVALID_TAG = (v: unknown): unknown =>
  editRuns(v, '<RUN_7>', (run) => withoutTag(run.data, 'bad*key'))
const EXP_2_LOST_OWNER_TAG = (v: unknown): unknown =>
  editExperiments(v, '<EXP_2>', (e) => withoutTag(e, 'owner'))

const RUN_1_REASON =
  'run-a keeps what was sent: bare NaN/Infinity stored as sent (not 0 at time 0) and no datasets with empty fields (Cairn refused them)'
const RUN_7_REASON = "run-h has no 'bad*key' tag: Cairn refused the invalid tag key on runs/create"
const EXP_2_REASON =
  "exp-a has no 'owner' tag: Cairn implements experiments/delete-experiment-tag, which deleted it"

const TABLE: Record<string, Difference> = {
  // 5xx or HTML for bad input → a JSON 4xx naming the problem.
  'misc: unknown route under /api/2.0': noRoute(
    'unknown routes answer JSON ENDPOINT_NOT_FOUND, not an HTML page',
  ),
  'misc: unknown api version /api/2.1': noRoute(
    'unknown routes answer JSON ENDPOINT_NOT_FOUND, not an HTML page',
  ),
  'misc: trailing slash on known route': noRoute(
    'unknown routes answer JSON ENDPOINT_NOT_FOUND, not an HTML page',
  ),
  'misc: wrong method: GET on POST-only route': wrongMethod('POST, OPTIONS'),
  'misc: wrong method: POST on GET-only route': wrongMethod('GET, HEAD, OPTIONS'),
  'misc: wrong method: GET runs/search (POST only)': wrongMethod('POST, OPTIONS'),
  'misc: wrong method: PUT on POST route': wrongMethod('POST, OPTIONS'),
  "misc: GET with query parameter without '='": badInput(
    "a query parameter without '=' is refused (MLflow: HTML 500)",
  ),
  "misc: GET with unencoded '=' inside a value": badInput(
    "an unencoded '=' inside a query value is refused (MLflow: HTML 500)",
  ),
  'misc: POST with JSON array body': badInput(
    'a body that is not a JSON object is refused (MLflow: HTML 500)',
  ),
  'experiments: search GET max_results not a number': badInput(
    'a non-numeric max_results is refused (MLflow: HTML 500)',
  ),
  'experiments: search invalid filter comparator': badInput(
    'an invalid comparator is a client error (MLflow: 500 INTERNAL_ERROR)',
  ),
  'experiments: rename deleted experiment': error(
    400,
    'INVALID_STATE',
    'INVALID_STATE is a client mistake: 400, not 500',
  ),
  'runs: get-history POST (method check)': wrongMethod('GET, HEAD, OPTIONS'),
  'runs: get-history-bulk under /api/2.0': noRoute(
    'unknown routes answer JSON ENDPOINT_NOT_FOUND, not an HTML page',
  ),
  'artifacts: download nonexistent file': error(
    404,
    'RESOURCE_DOES_NOT_EXIST',
    'a missing artifact is 404 (MLflow: 500)',
  ),
  'artifacts: download a directory': {
    ...badInput('downloading a directory is refused with 400 (MLflow: HTML 500)'),
    headers: {
      'Content-Type': 'application/json',
      'Content-Disposition': null,
      'X-Content-Type-Options': null,
    },
  },
  'artifacts: get-artifact (UI route) missing file': {
    ...error(404, 'RESOURCE_DOES_NOT_EXIST', 'a missing artifact is 404 (MLflow: HTML 500)'),
    headers: {
      'Content-Type': 'application/json',
      'Content-Disposition': null,
      'X-Content-Type-Options': null,
    },
  },
  'artifacts: traversal download absolute (double slash)': {
    ...badInput("an absolute artifact path ('//etc/passwd') is refused, not redirected (MLflow: 308)"),
    headers: { Location: null },
  },

  // Silently accepted invalid input → 400.
  'runs: update invalid status': badInput('an unknown run status is refused (MLflow: 200, status unchanged)'),
  'runs: search experiment_ids wrong type (string)': badInput(
    'a string for a list is refused (MLflow reads it letter by letter)',
  ),
  'runs: create tags wrong type (object)': {
    ...badInput('tags that are not a list are refused (MLflow: run created, tags dropped)'),
    followUps: createWithoutTags('create run-g as MLflow stored it (no tags)', (r) => r),
  },
  'runs: create invalid tag key': {
    ...badInput('an invalid tag key on runs/create is refused as on set-tag (MLflow: stored)'),
    followUps: createWithoutTags('create run-h without the refused tag', RUN_7_HAS_NO_INVALID_TAG),
  },
  'runs: log-inputs dataset missing digest': badInput(
    'dataset name, digest, source_type and source are required',
  ),
  'runs: log-inputs dataset missing name': badInput(
    'dataset name, digest, source_type and source are required',
  ),
  'runs: log-inputs entry missing dataset': badInput('a dataset input without its dataset is refused'),
  'experiments: create name too long (500 chars)': badInput(
    'experiment names are limited to 500 characters, as current MLflow',
  ),

  // Data loss → store what was sent, delete what was asked.
  'artifacts: delete file': {
    status: 200,
    mediaType: 'application/json',
    response: {},
    reason: 'deleting a single artifact file deletes it (MLflow: HTML 500, file kept)',
  },
  'artifacts: list after delete file': {
    patch: (r: { root_uri: string }) => ({ root_uri: r.root_uri }),
    reason: 'the file deleted by the previous case is gone',
  },

  // Routes later MLflow versions added, answered as MLflow documents them now.
  'experiments: delete-experiment-tag (route)': {
    status: 200,
    mediaType: 'application/json',
    response: {},
    reason: 'experiments/delete-experiment-tag exists (MLflow 2.10: HTML 404)',
  },
  'runs: get-history-bulk-interval (ajax)': {
    status: 200,
    mediaType: 'application/json',
    response: recorded('runs', 'get-history-bulk (ajax) two runs').response,
    reason:
      'metrics/get-history-bulk-interval exists (MLflow 2.10: HTML 404); every step fits in max_results',
  },
  'runs: get-history-bulk-interval (api)': {
    status: 200,
    mediaType: 'application/json',
    response: {
      metrics: (
        recorded('runs', 'get-history-bulk (ajax) two runs').response as { metrics: { run_id: string }[] }
      ).metrics.filter((m) => m.run_id === '<RUN_1>'),
    },
    reason: 'metrics/get-history-bulk-interval exists under /api/2.0 too (MLflow 2.10: HTML 404)',
  },
  'runs: get-history with max_results=2': {
    patch: (r: { metrics: unknown[] }) => ({
      metrics: r.metrics.slice(0, 2),
      next_page_token: 'eyJvZmZzZXQiOiAyfQ==',
    }),
    reason: 'get-history pages with max_results and page_token as current MLflow (2.10 ignores both)',
  },
  'runs: get-history with page_token': badInput(
    'get-history reads page_token as current MLflow; "abc" is not a token',
  ),

  // Decisions of Cairn's own.
  'misc: version': { response: { _raw: CAIRN_VERSION }, reason: "/version reports Cairn's version" },
  'misc: content type and formatting of a success': {
    layout: 'compact',
    reason: 'success bodies are compact JSON',
  },
  'misc: GET with repeated scalar query parameter': badInput(
    'a repeated non-repeated query parameter is refused',
  ),
  'misc: HEAD on a GET route': {
    status: 200,
    reason: 'HEAD is answered like GET, reading the query string (MLflow ignores it and answers 400)',
  },
  'experiments: get missing experiment_id': badInput('required fields are required in query strings too'),
  'experiments: get-by-name missing parameter': badInput('required fields are required in query strings too'),
  'runs: get-history missing metric_key': badInput('required fields are required in query strings too'),

  // Beyond MLflow: the search language has OR.
  'runs: search OR (unsupported)': {
    status: 200,
    mediaType: 'application/json',
    response: RUN_1_KEEPS_WHAT_WAS_SENT(structuredClone(recorded('runs', 'search metrics filter').response)),
    reason: 'the search language supports OR (MLflow: 400)',
  },
}

/** Answers that differ only by state an earlier difference left behind. */
function consequence(keys: string[], patch: (v: unknown) => unknown, reason: string): void {
  for (const key of keys) {
    const d = TABLE[key]
    TABLE[key] = d
      ? { ...d, patch: both(d.patch, patch), reason: `${d.reason}; ${reason}` }
      : { patch, reason }
  }
}

const runs = (...names: string[]): string[] => names.map((n) => differenceKey('runs', n))

consequence(
  runs(
    'get after set-tag mlflow.runName',
    'get after log-inputs',
    'get after log-model (mlflow.log-model.history tag)',
    'get run a (full)',
    'get-run a: info after everything',
    'search all in experiment (default order)',
    'search metrics filter',
    'search params filter',
    'search tags filter',
    'search tag with backticks',
    'search run_name LIKE',
    'search run_id IN',
    'search combined AND',
    'search datasets.name',
    'search datasets.digest IN',
    'search datasets.context',
    'search order_by metric DESC, start_time ASC',
    'search order_by params ASC, attributes.start_time DESC',
    'search order_by tag',
    'search pagination page 1 (max_results=2)',
    'search max_results=50000',
    'search run_view_type ACTIVE_ONLY (default)',
    'search run_view_type ALL',
  ),
  RUN_1_KEEPS_WHAT_WAS_SENT,
  RUN_1_REASON,
)
consequence(
  runs(
    'search all in experiment (default order)',
    'search experiment_ids as JSON numbers',
    'search run_name LIKE',
    'search run_id NOT IN',
    'search start_time comparison',
    'search order_by metric DESC, start_time ASC',
    'search order_by params ASC, attributes.start_time DESC',
    'search order_by tag',
    'search pagination page 4',
    'search run_view_type ACTIVE_ONLY (default)',
    'search run_view_type ALL',
  ),
  RUN_7_HAS_NO_INVALID_TAG,
  RUN_7_REASON,
)
consequence(
  ['experiments: search view_type ACTIVE_ONLY', 'experiments: search view_type ALL'],
  EXP_2_LOST_OWNER_TAG,
  EXP_2_REASON,
)

for (const [name, d] of Object.entries(registryDifferences())) TABLE[differenceKey('registry', name)] = d

export const DIFFERENCES: Readonly<Record<string, Difference>> = TABLE

/** What a case must answer: MLflow's recorded answer, or the documented difference. */
export function expectationFor(
  file: TranscriptFile,
  c: GoldenCase,
): { expectation: Expectation; difference: Difference | undefined } {
  const difference = DIFFERENCES[differenceKey(file, c.name)]
  return { expectation: applyDifference(c, difference), difference }
}

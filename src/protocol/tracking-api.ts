/**
 * MLflow REST API 2.0, tracking part: one row per endpoint (method, path, request message).
 * The server mounts these under /api/2.0 and /ajax-api/2.0; the SDK calls the same rows, so
 * the two cannot drift apart. Field tables follow mlflow/protos/service.proto.
 */
import { VIEW_TYPES } from './entities.js'
import {
  double,
  enumOf,
  experimentId,
  int64,
  message,
  optionalInt32,
  optionalInt64,
  optionalString,
  repeated,
  schema,
  string,
} from './fields.js'
import { endpoint } from './endpoint.js'
import type {
  WireDatasetInput,
  WireExperiment,
  WireFileInfo,
  WireMetric,
  WireRun,
  WireRunInfo,
  WireRunMetric,
} from './wire.js'

const tag = () => message({ key: string(), value: string() })
const viewType = () =>
  enumOf(VIEW_TYPES, { fallback: 'ACTIVE_ONLY', numbers: { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' } })

/** Metric inside log-batch: every field but step is required (proto2 `required`). */
export const metricMessage = () =>
  message({
    key: string({ required: true }),
    value: double({ required: true }),
    timestamp: int64({ required: true }),
    step: int64(),
  })

const datasetMessage = () =>
  message({
    name: string(),
    digest: string(),
    source_type: string(),
    source: string(),
    schema: optionalString(),
    profile: optionalString(),
  })

type Empty = Record<string, never>

export const TRACKING_API = {
  createExperiment: endpoint<{ experiment_id: string }>()(
    'createExperiment',
    { methods: ['POST'], path: '/mlflow/experiments/create' },
    schema({ name: string({ required: true }), artifact_location: string(), tags: repeated(tag()) }),
  ),
  searchExperiments: endpoint<{ experiments?: WireExperiment[]; next_page_token?: string }>()(
    'searchExperiments',
    { methods: ['GET', 'POST'], path: '/mlflow/experiments/search' },
    schema({
      max_results: optionalInt64(),
      page_token: string(),
      filter: string(),
      order_by: repeated(string()),
      view_type: viewType(),
    }),
  ),
  getExperiment: endpoint<{ experiment: WireExperiment }>()(
    'getExperiment',
    { methods: ['GET'], path: '/mlflow/experiments/get' },
    schema({ experiment_id: experimentId({ required: true }) }),
  ),
  getExperimentByName: endpoint<{ experiment: WireExperiment }>()(
    'getExperimentByName',
    { methods: ['GET'], path: '/mlflow/experiments/get-by-name' },
    schema({ experiment_name: string({ required: true }) }),
  ),
  deleteExperiment: endpoint<Empty>()(
    'deleteExperiment',
    { methods: ['POST'], path: '/mlflow/experiments/delete' },
    schema({ experiment_id: experimentId({ required: true }) }),
  ),
  restoreExperiment: endpoint<Empty>()(
    'restoreExperiment',
    { methods: ['POST'], path: '/mlflow/experiments/restore' },
    schema({ experiment_id: experimentId({ required: true }) }),
  ),
  updateExperiment: endpoint<Empty>()(
    'updateExperiment',
    { methods: ['POST'], path: '/mlflow/experiments/update' },
    schema({ experiment_id: experimentId({ required: true }), new_name: string({ required: true }) }),
  ),
  setExperimentTag: endpoint<Empty>()(
    'setExperimentTag',
    { methods: ['POST'], path: '/mlflow/experiments/set-experiment-tag' },
    schema({
      experiment_id: experimentId({ required: true }),
      key: string({ required: true }),
      value: string(),
    }),
  ),
  deleteExperimentTag: endpoint<Empty>()(
    'deleteExperimentTag',
    { methods: ['POST'], path: '/mlflow/experiments/delete-experiment-tag' },
    schema({ experiment_id: experimentId({ required: true }), key: string({ required: true }) }),
  ),
  createRun: endpoint<{ run: WireRun }>()(
    'createRun',
    { methods: ['POST'], path: '/mlflow/runs/create' },
    schema({
      experiment_id: experimentId(),
      user_id: string(),
      run_name: string(),
      start_time: int64(),
      tags: repeated(tag()),
    }),
  ),
  updateRun: endpoint<{ run_info: WireRunInfo }>()(
    'updateRun',
    { methods: ['POST'], path: '/mlflow/runs/update' },
    schema({
      run_id: string(),
      run_uuid: string(),
      status: optionalString(),
      end_time: optionalInt64(),
      run_name: optionalString(),
    }),
  ),
  deleteRun: endpoint<Empty>()(
    'deleteRun',
    { methods: ['POST'], path: '/mlflow/runs/delete' },
    schema({ run_id: string({ required: true }) }),
  ),
  restoreRun: endpoint<Empty>()(
    'restoreRun',
    { methods: ['POST'], path: '/mlflow/runs/restore' },
    schema({ run_id: string({ required: true }) }),
  ),
  getRun: endpoint<{ run: WireRun }>()(
    'getRun',
    { methods: ['GET'], path: '/mlflow/runs/get' },
    schema({ run_id: string(), run_uuid: string() }),
  ),
  searchRuns: endpoint<{ runs?: WireRun[]; next_page_token?: string }>()(
    'searchRuns',
    { methods: ['POST'], path: '/mlflow/runs/search' },
    schema({
      experiment_ids: repeated(experimentId()),
      filter: string(),
      run_view_type: viewType(),
      max_results: optionalInt32(),
      order_by: repeated(string()),
      page_token: string(),
    }),
  ),
  logMetric: endpoint<Empty>()(
    'logMetric',
    { methods: ['POST'], path: '/mlflow/runs/log-metric' },
    schema({
      run_id: string(),
      run_uuid: string(),
      key: string({ required: true }),
      value: double({ required: true }),
      timestamp: int64({ required: true }),
      step: int64(),
    }),
  ),
  logParam: endpoint<Empty>()(
    'logParam',
    { methods: ['POST'], path: '/mlflow/runs/log-parameter' },
    schema({ run_id: string(), run_uuid: string(), key: string({ required: true }), value: string() }),
  ),
  setTag: endpoint<Empty>()(
    'setTag',
    { methods: ['POST'], path: '/mlflow/runs/set-tag' },
    schema({ run_id: string(), run_uuid: string(), key: string({ required: true }), value: string() }),
  ),
  deleteTag: endpoint<Empty>()(
    'deleteTag',
    { methods: ['POST'], path: '/mlflow/runs/delete-tag' },
    schema({ run_id: string({ required: true }), key: string({ required: true }) }),
  ),
  logBatch: endpoint<Empty>()(
    'logBatch',
    { methods: ['POST'], path: '/mlflow/runs/log-batch' },
    schema({
      run_id: string({ required: true }),
      metrics: repeated(metricMessage()),
      params: repeated(tag()),
      tags: repeated(tag()),
    }),
  ),
  logModel: endpoint<Empty>()(
    'logModel',
    { methods: ['POST'], path: '/mlflow/runs/log-model' },
    schema({ run_id: string({ required: true }), model_json: string({ required: true }) }),
  ),
  logInputs: endpoint<Empty>()(
    'logInputs',
    { methods: ['POST'], path: '/mlflow/runs/log-inputs' },
    schema({
      run_id: string({ required: true }),
      datasets: repeated(message({ tags: repeated(tag()), dataset: datasetMessage() })),
    }),
  ),
  getMetricHistory: endpoint<{ metrics?: WireMetric[]; next_page_token?: string }>()(
    'getMetricHistory',
    { methods: ['GET'], path: '/mlflow/metrics/get-history' },
    schema({
      run_id: string(),
      run_uuid: string(),
      metric_key: string({ required: true }),
      page_token: string(),
      max_results: optionalInt32(),
    }),
  ),
  getMetricHistoryBulk: endpoint<{ metrics?: WireRunMetric[] }>()(
    'getMetricHistoryBulk',
    { methods: ['GET'], path: '/mlflow/metrics/get-history-bulk', ajaxOnly: true },
    schema({ run_id: repeated(string()), metric_key: string(), max_results: optionalInt32() }),
  ),
  getMetricHistoryBulkInterval: endpoint<{ metrics?: WireRunMetric[] }>()(
    'getMetricHistoryBulkInterval',
    { methods: ['GET'], path: '/mlflow/metrics/get-history-bulk-interval' },
    schema({
      run_ids: repeated(string()),
      metric_key: string({ required: true }),
      start_step: optionalInt32(),
      end_step: optionalInt32(),
      max_results: optionalInt32(),
    }),
  ),
  listArtifacts: endpoint<{ root_uri?: string; files?: WireFileInfo[]; next_page_token?: string }>()(
    'listArtifacts',
    { methods: ['GET'], path: '/mlflow/artifacts/list' },
    schema({ run_id: string(), run_uuid: string(), path: optionalString(), page_token: string() }),
  ),
} as const

export type TrackingApi = typeof TRACKING_API
export type { WireDatasetInput }

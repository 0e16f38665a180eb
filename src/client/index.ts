/** The Cairn TypeScript SDK. It depends on protocol alone and talks to servers over HTTP only. */
export {
  CairnClient,
  type CairnClientOptions,
  type StartRunOptions,
  type ExperimentPage,
  type RunPage,
} from './client.js'
export { ActiveRun, type ErrorContext, type ParamValue } from './active-run.js'
export { loggedModelJson, type LoggedModel, type LogModelOptions } from './log-model.js'
export {
  CairnApiError,
  CairnBatchError,
  CairnNetworkError,
  isRetryable,
  type DroppedEntities,
} from './errors.js'
export { HttpClient, type HttpClientOptions, type RequestOf, type AnswerOf } from './http.js'
export { DEFAULT_RETRY, type RetryOptions } from './retry.js'
export { DEFAULT_TRACKING_URI, resolveTrackingUri } from './config.js'
export type { SearchRunsOptions, SearchExperimentsOptions } from './search.js'
export type { BatchContent, KeyValue, MetricPoint } from './batches.js'
export { RegistryClient } from './registry.js'
export type {
  CreateModelVersionOptions,
  ModelVersionPage,
  PromoteOptions,
  RegisteredModelPage,
  RegistryHistoryOptions,
  RegistryHistoryPage,
  RegistrySearchOptions,
  ResolvedModelUri,
  RollbackResult,
  VersionRef,
} from './registry-types.js'
export { AUDIT_USER_HEADER } from './audit-user.js'

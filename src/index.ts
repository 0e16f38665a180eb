/** The `cairn` package: the TypeScript SDK (`import { CairnClient } from 'cairn'`) and the model format (`saveModel`, learners with `toOnnx()`). */
export { CAIRN_VERSION } from './version.js'
export * from './client/index.js'
export * from './models/index.js'
export { TRACKING_API } from './protocol/tracking-api.js'
export { CairnError, ERROR_CODES, type ErrorCode } from './protocol/errors.js'
export type {
  Experiment,
  FileInfo,
  Metric,
  Param,
  Run,
  RunData,
  RunInfo,
  RunStatus,
  Tag,
  ViewType,
} from './protocol/entities.js'
export { REGISTRY_API } from './protocol/registry-api.js'
export type {
  ModelAlias,
  ModelSignature,
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegisteredModel,
  RegistryEvent,
  RegistryEventAction,
  RegistryEventKind,
  StoredPolicy,
} from './protocol/registry-entities.js'
export type { PromotionCheck, PromotionOutcome } from './protocol/promotion-policy.js'

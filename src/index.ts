/** The `cairn` package: the TypeScript SDK (`import { CairnClient } from 'cairn'`). */
export { CAIRN_VERSION } from './version.js'
export * from './client/index.js'
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

/**
 * Cairn monitoring core: columnar tables and readers, reference profiles, drift statistics,
 * quality metrics and data validation. Pure computation (file reading aside); monitors, reports,
 * alerts and metrics build on this API. See docs/monitoring.md.
 */
export * from './table/table.js'
export * from './drift/types.js'
export { columnDrift, allStatistics, type ColumnTestSettings } from './drift/column.js'
export { datasetDrift, validateDriftOptions, settingsFor, summarize } from './drift/dataset.js'
export { defaultMethod, SMALL_REFERENCE_MAX_ROWS } from './drift/tests.js'
export {
  columnSample,
  prepareReference,
  isPreparedReference,
  type ColumnSample,
  type PreparedReference,
} from './drift/sample.js'
export {
  TableBuilder,
  tableFromRecords,
  tableFromValues,
  type ValueMode,
  type BuildLimits,
} from './table/builder.js'
export { parseCsv, readCsvChunks, CsvParser, type CsvOptions } from './table/csv.js'
export { parseJsonDocument, readJsonLines, isPredictionLogRecord, type JsonOptions } from './table/json.js'
export { readParquet, parquetRowCount, type ParquetOptions } from './table/parquet.js'
export { readTable, formatOf, type ReadTableOptions, type TableFormat } from './table/read.js'
export * from './profile/types.js'
export {
  computeProfile,
  profileColumn,
  sampleRows,
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_DRIFT_SAMPLE_SIZE,
} from './profile/profile.js'
export { DEFAULT_QUANTILES, quantiles } from './profile/numerical.js'
export { parseProfile, serializeProfile, referenceFromProfile } from './profile/serialize.js'
export type { Label, MetricValue } from './quality/labels.js'
export {
  accuracy,
  confusionMatrix,
  precisionRecallF1,
  prfPerClass,
  rocAuc,
  rocAucOvr,
  logLoss,
  FLOAT64_EPS,
  type Average,
  type ConfusionMatrix,
} from './quality/classification.js'
export { regressionMetrics, type RegressionMetrics } from './quality/regression.js'
export {
  classificationQuality,
  regressionQuality,
  type ClassificationInput,
  type ClassificationQuality,
  type RegressionQuality,
} from './quality/summary.js'
export {
  inferExpectations,
  parseExpectations,
  serializeExpectations,
  EXPECTATIONS_FORMAT,
  EXPECTATIONS_VERSION,
  type ColumnExpectations,
  type Expectations,
  type InferOptions,
} from './validation/expectations.js'
export {
  validate,
  MAX_EXAMPLES,
  type Example,
  type ExpectationKind,
  type ExpectationResult,
  type ValidationResult,
} from './validation/validate.js'
export {
  computeAndStoreProfile,
  loadMonitoringArtifacts,
  readModelFile,
  writeModelFile,
  versionLocation,
  PROFILE_ARTIFACT,
  EXPECTATIONS_ARTIFACT,
  PROFILE_TAG,
  EXPECTATIONS_TAG,
  type MonitoringArtifacts,
  type StoreProfileOptions,
  type StoredMonitoringArtifacts,
} from './artifacts/model-artifacts.js'

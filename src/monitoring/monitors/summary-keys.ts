/**
 * The measures of a monitor run, by key: the run's tracking metrics and the summary the store
 * keeps for /metrics use the same keys, so a chart in the runs view and a Prometheus series show
 * the same number. Column names become part of a key, so characters MLflow refuses in metric
 * keys are replaced by `_`.
 */
export const SUMMARY = {
  driftShare: 'drift.share',
  datasetDrift: 'drift.dataset',
  driftedColumns: 'drift.columns_drifted',
  driftScorePrefix: 'drift.score.',
  driftDetectedPrefix: 'drift.detected.',
  validationFailures: 'validation.failures',
  validationExpectations: 'validation.expectations',
  qualityPrefix: 'quality.',
  labelledRows: 'rows.labelled',
  currentRows: 'rows.current',
  referenceRows: 'rows.reference',
} as const

/** MLflow accepts letters, digits, `_ - . / ` and space in metric keys. */
export function keyPart(name: string): string {
  const s = name.replace(/[^\w\-./ ]/g, '_')
  return s === '' ? '_' : s
}

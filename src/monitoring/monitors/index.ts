/**
 * Monitors for scripts and receivers: define and run monitors on a server (MonitorsClient), make
 * a report here (reportNow), and verify alert webhooks (verifySignature). docs/monitoring.md,
 * "Monitors", "Reports" and "Alerts".
 */
export { MonitorsClient } from './client.js'
export { reportNow, writeReportFiles, type ReportNowOptions } from './report-now.js'
export { normalizeMonitor, type MonitorSpec, QUALITY_METRICS } from './spec.js'
export { monitorToRaw } from './spec-document.js'
export type { MonitorEvaluation, ModelInfo } from './evaluation.js'
export { SUMMARY } from './summary-keys.js'
export { MONITORING_EXPERIMENT, MONITOR_TAGS } from './recorder.js'
export { renderReportHtml } from '../report/report-html.js'
export type { MonitorReport } from '../report/report-types.js'
export { verifySignature, signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../alerts/webhook.js'
export { MONITOR_FAILED_EVENT } from '../alerts/alerter.js'
export type { WireMonitor, WireMonitorRun } from '../../protocol/monitors-api.js'

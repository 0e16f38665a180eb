/**
 * One evaluation of a monitor: read the current data (the model's prediction log over the window,
 * or a dataset file), the reference (a file, or the model version's stored reference), then run
 * the checks — drift, validation, live quality against /feedback — and build the report. The
 * statistics are the core's (src/monitoring/drift, quality, validation); this file decides what
 * data goes in and what the verdict is. Empty windows are `no_data`, never a pass.
 */
import { join } from 'node:path'
import { datasetDrift } from '../drift/dataset.js'
import type { PreparedReference } from '../drift/sample.js'
import type { DatasetDriftResult, DriftMethod, DriftOptions } from '../drift/types.js'
import { driftReport } from '../report/from-drift.js'
import type {
  MonitorReport,
  QualityReport,
  ReportCheck,
  ReportStatus,
  ValidationReport,
} from '../report/report-types.js'
import { columnNames, type Table } from '../table/table.js'
import { predictionTable } from './current-table.js'
import { verdictMessage, type EvaluateMonitor, type ModelInfo, type MonitorEvaluation } from './evaluation.js'
import { joinGroundTruth, type LabelledRows } from './ground-truth.js'
import {
  readFeedback,
  readPredictionWindow,
  type LogWindow,
  type PredictionRows,
} from './prediction-log-reader.js'
import { qualityReport } from './quality-check.js'
import type { MonitorSpec, QualityMetricName, ValidationCheck } from './spec.js'
import { keyPart, SUMMARY } from './summary-keys.js'

export interface Reference {
  data: Table | PreparedReference
  /** Where it came from (a file, `models:/m/3 reference profile`). */
  source: string
  rows: number
  /** Columns the reference has. */
  columns: string[]
}

/** What the core computes, bound in core-adapter.ts (one place to follow its API). */
export interface MonitoringCore {
  /** Reads a dataset file (CSV, JSON, JSON Lines, Parquet, a prediction log file). */
  readTable(path: string): Promise<Table>
  /** The stored reference of a model version, or null when it has none. */
  loadReference(model: ModelInfo): Promise<Reference | null>
  /** Quality metrics over labelled rows: value or null with why. */
  quality(
    metrics: readonly QualityMetricName[],
    labelled: LabelledRows,
    opts: { positiveLabel?: string },
  ): Record<string, { value: number | null; explanation?: string }>
  /** Checks the current data against the reference's (or a file's) expectations. */
  validate(current: Table, reference: Reference | null, check: ValidationCheck): Promise<ValidationReport>
}

export interface EvaluatorDeps {
  core: MonitoringCore
  /** Folder of the served models' prediction-log folders (`<CAIRN_HOME>/predictions`). */
  predictionLogRoot: string
  /** Generated-at time of reports (default: the window's end). */
  now?: () => number
}

/** Serving's folder name for a served model (serving-service.ts). */
export const servedFolder = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_')

/** Columns the log adds that are not features. */
const LOG_COLUMNS = new Set(['request_id', 'ts', 'model_version'])

interface Current {
  table: Table
  source: string
  rows: PredictionRows | null
  dir: string | null
}

function driftOptions(
  spec: MonitorSpec,
  reference: Reference,
  current: Table,
  notes: string[],
): DriftOptions {
  const d = spec.drift!
  let columns = d.columns
  if (!columns) {
    const have = new Set(columnNames(current))
    columns = reference.columns.filter((c) => have.has(c) && !LOG_COLUMNS.has(c))
    const absent = reference.columns.filter((c) => !have.has(c) && !LOG_COLUMNS.has(c))
    if (absent.length > 0)
      notes.push(`Reference columns not in the current data (not compared): ${absent.join(', ')}.`)
  }
  const perColumn: Record<string, { method?: DriftMethod; threshold?: number }> = {}
  for (const [col, o] of Object.entries(d.perColumn)) {
    perColumn[col] = {
      ...(o.method ? { method: o.method as DriftMethod } : {}),
      ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    }
  }
  return {
    columns,
    driftShare: d.driftShare,
    perColumn,
    ...(d.method ? { method: d.method as DriftMethod } : {}),
    ...(d.threshold !== undefined ? { threshold: d.threshold } : {}),
  }
}

function driftCheck(spec: MonitorSpec, r: DatasetDriftResult): ReportCheck {
  const share = r.shareOfDriftedColumns
  if (share === null)
    return { check: 'drift', status: 'skipped', message: r.explanation ?? 'no column could be tested' }
  const what = `${r.numberOfDriftedColumns} of ${r.numberOfColumns} columns drifted (${(share * 100).toFixed(0)}%, dataset drift at ${(r.driftShare * 100).toFixed(0)}%)`
  const failed = spec.drift!.failOn === 'column' ? r.numberOfDriftedColumns > 0 : r.datasetDrift
  const drifted = r.columns.filter((c) => c.verdict === 'drift').map((c) => c.column)
  return {
    check: 'drift',
    status: failed ? 'failed' : 'passed',
    message: drifted.length
      ? `${what}: ${drifted.slice(0, 10).join(', ')}${drifted.length > 10 ? ', …' : ''}`
      : what,
  }
}

function driftSummary(r: DatasetDriftResult, summary: Record<string, number>): void {
  if (r.shareOfDriftedColumns !== null) summary[SUMMARY.driftShare] = r.shareOfDriftedColumns
  summary[SUMMARY.datasetDrift] = r.datasetDrift ? 1 : 0
  summary[SUMMARY.driftedColumns] = r.numberOfDriftedColumns
  for (const c of r.columns) {
    if (c.verdict === 'undetermined') continue
    if (c.score !== null && Number.isFinite(c.score))
      summary[SUMMARY.driftScorePrefix + keyPart(c.column)] = c.score
    summary[SUMMARY.driftDetectedPrefix + keyPart(c.column)] = c.drifted ? 1 : 0
  }
}

export function createEvaluator(deps: EvaluatorDeps): EvaluateMonitor {
  const { core } = deps

  async function readCurrent(spec: MonitorSpec, model: ModelInfo, window: LogWindow): Promise<Current> {
    const cur = spec.current
    if (cur.kind === 'file')
      return { table: await core.readTable(cur.path), source: cur.path, rows: null, dir: null }
    const served = cur.model ?? model.name
    if (!cur.dir && !served)
      throw new Error(
        `Cannot tell which prediction log to read for ${model.uri}: set current.prediction_log.dir`,
      )
    const dir = cur.dir ?? join(deps.predictionLogRoot, servedFolder(served!))
    const rows = await readPredictionWindow(dir, {
      window,
      roles: cur.roles,
      ...(cur.model ? { model: cur.model } : {}),
    })
    return { table: predictionTable(rows), source: `prediction log ${dir}`, rows, dir }
  }

  async function readReference(spec: MonitorSpec, model: ModelInfo): Promise<Reference | null> {
    if (spec.referenceFile) {
      const table = await core.readTable(spec.referenceFile)
      return { data: table, source: spec.referenceFile, rows: table.rowCount, columns: columnNames(table) }
    }
    return core.loadReference(model)
  }

  return async (spec, { model, window }): Promise<MonitorEvaluation> => {
    const notes: string[] = []
    const checks: ReportCheck[] = []
    const summary: Record<string, number> = {}
    const current = await readCurrent(spec, model, window)
    summary[SUMMARY.currentRows] = current.table.rowCount
    if (current.rows && current.rows.badLines > 0)
      notes.push(`${current.rows.badLines} prediction-log lines were not valid records and were skipped.`)
    const needsReference =
      spec.drift !== undefined || (spec.validation !== undefined && !spec.validation.file)
    const reference = needsReference ? await readReference(spec, model) : null
    if (needsReference && !reference)
      throw new Error(
        `${model.uri} has no reference data: register the version with a reference profile or set 'reference.file'`,
      )
    if (reference) summary[SUMMARY.referenceRows] = reference.rows
    const report: MonitorReport = {
      version: 1,
      title: `Monitor ${spec.name}`,
      generatedAt: new Date(deps.now?.() ?? window.end).toISOString(),
      monitor: spec.name,
      model: { uri: model.uri, name: model.name, version: model.version },
      window: current.rows
        ? { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() }
        : null,
      current: { source: current.source, rows: current.table.rowCount },
      reference: { source: reference?.source ?? '—', rows: reference?.rows ?? 0 },
      status: 'passed',
      checks,
      drift: null,
      quality: null,
      validation: null,
      notes,
    }
    let status: ReportStatus
    if (current.table.rowCount === 0) {
      const where = current.rows
        ? `no predictions between ${report.window!.start} and ${report.window!.end}`
        : `${current.source} has no rows`
      checks.push({ check: 'data', status: 'skipped', message: `${where}: nothing to judge` })
      status = 'no_data'
    } else {
      if (spec.drift && reference) {
        const result = datasetDrift(
          reference.data,
          current.table,
          driftOptions(spec, reference, current.table, notes),
        )
        report.drift = driftReport(result)
        checks.push(driftCheck(spec, result))
        driftSummary(result, summary)
      }
      if (spec.validation) {
        const v = await core.validate(current.table, reference, spec.validation)
        report.validation = v
        summary[SUMMARY.validationFailures] = v.failures
        summary[SUMMARY.validationExpectations] = v.results.length
        checks.push({
          check: 'validation',
          status: v.failures > spec.validation.maxFailures ? 'failed' : 'passed',
          message: `${v.failures} of ${v.results.length} expectations failed (${spec.validation.maxFailures} tolerated)`,
        })
      }
      if (spec.quality) {
        const q = await qualityFor(spec, current, window)
        if (q) {
          report.quality = q.report
          Object.assign(summary, q.summary)
          checks.push(q.check)
        }
      }
      status = checks.some((c) => c.status === 'failed') ? 'failed' : 'passed'
    }
    report.status = status
    return { status, message: verdictMessage(status, checks), checks, summary, report }
  }

  async function qualityFor(
    spec: MonitorSpec,
    current: Current,
    window: LogWindow,
  ): Promise<{ report: QualityReport; summary: Record<string, number>; check: ReportCheck } | null> {
    const q = spec.quality!
    if (!current.rows || !current.dir) {
      return {
        report: {
          task: 'classification',
          predictions: current.table.rowCount,
          labelled: 0,
          metrics: [],
          series: [],
        },
        summary: {},
        check: {
          check: 'quality',
          status: 'skipped',
          message: 'live quality needs the prediction log and /feedback; the current data is a file',
        },
      }
    }
    const truth = await readFeedback(current.dir, window.start)
    const labelled = joinGroundTruth(current.rows, truth, {
      ...(q.output ? { output: q.output } : {}),
      ...(q.scoreOutput ? { scoreOutput: q.scoreOutput } : {}),
    })
    return qualityReport({ spec: q, labelled, predictions: current.rows.rows, window, core })
  }
}

/**
 * Dataset drift (Evidently's get_dataset_drift): every column tested, and the dataset drifts when
 * the share of drifted columns reaches `driftShare` (0.5). Columns without a verdict
 * ('undetermined') are listed apart and left out of the share, never counted as "no drift".
 */
import { invalidParameter } from '../../protocol/errors.js'
import { getColumn, type Table } from '../table/table.js'
import { columnDrift, type ColumnTestSettings } from './column.js'
import {
  columnSample,
  isPreparedReference,
  prepareReference,
  type ColumnSample,
  type PreparedReference,
} from './sample.js'
import {
  DEFAULT_DRIFT_SHARE,
  DRIFT_METHODS,
  type ColumnDriftResult,
  type DatasetDriftResult,
  type DriftMethod,
  type DriftOptions,
} from './types.js'

function checkMethod(m: DriftMethod | undefined, where: string): void {
  if (m !== undefined && !DRIFT_METHODS.includes(m)) {
    throw invalidParameter(
      `Unknown drift method '${String(m)}' in ${where}; known: ${DRIFT_METHODS.join(', ')}`,
    )
  }
}

function checkThreshold(t: number | undefined, where: string): void {
  if (t !== undefined && !(Number.isFinite(t) && t >= 0))
    throw invalidParameter(`${where} must be a number ≥ 0, got ${t}`)
}

export function validateDriftOptions(o: DriftOptions): void {
  checkMethod(o.method, 'method')
  checkMethod(o.numericalMethod, 'numericalMethod')
  checkMethod(o.categoricalMethod, 'categoricalMethod')
  checkThreshold(o.threshold, 'threshold')
  checkThreshold(o.numericalThreshold, 'numericalThreshold')
  checkThreshold(o.categoricalThreshold, 'categoricalThreshold')
  for (const [name, c] of Object.entries(o.perColumn ?? {})) {
    checkMethod(c.method, `perColumn.${name}.method`)
    checkThreshold(c.threshold, `perColumn.${name}.threshold`)
    if (c.columnType !== undefined && c.columnType !== 'numerical' && c.columnType !== 'categorical') {
      throw invalidParameter(`perColumn.${name}.columnType must be 'numerical' or 'categorical'`)
    }
  }
  if (o.driftShare !== undefined && !(o.driftShare >= 0 && o.driftShare <= 1)) {
    throw invalidParameter(`driftShare must be within [0, 1], got ${o.driftShare}`)
  }
}

/** The test settings of one column: per-column, then per-type, then global, then defaults. */
export function settingsFor(name: string, sample: ColumnSample, o: DriftOptions): ColumnTestSettings {
  const per = o.perColumn?.[name]
  const numerical = sample.type === 'numerical'
  const method = per?.method ?? (numerical ? o.numericalMethod : o.categoricalMethod) ?? o.method
  const threshold =
    per?.threshold ?? (numerical ? o.numericalThreshold : o.categoricalThreshold) ?? o.threshold
  return {
    ...(method ? { method } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(o.allStatistics ? { allStatistics: true } : {}),
  }
}

function columnTypes(o: DriftOptions): Record<string, 'numerical' | 'categorical'> {
  const out: Record<string, 'numerical' | 'categorical'> = {}
  for (const [k, v] of Object.entries(o.perColumn ?? {})) if (v.columnType) out[k] = v.columnType
  return out
}

/**
 * Compares `current` with `reference` column by column.
 *
 *   const result = datasetDrift(referenceTable, windowTable, { perColumn: { label: { columnType: 'categorical' } } })
 *   result.datasetDrift // true when ≥ 50 % of the tested columns drift
 */
export function datasetDrift(
  reference: Table | PreparedReference,
  current: Table,
  options: DriftOptions = {},
): DatasetDriftResult {
  validateDriftOptions(options)
  const types = columnTypes(options)
  const prepared = isPreparedReference(reference)
    ? reference
    : prepareReference(reference, {
        ...(options.columns ? { columns: options.columns } : {}),
        columnTypes: types,
      })
  const names = options.columns ?? [...prepared.columns.keys()]
  const results: ColumnDriftResult[] = []
  for (const name of names) {
    const ref = prepared.columns.get(name)
    if (!ref) throw invalidParameter(`Column '${name}' is not in the reference data`)
    const curColumn = getColumn(current, name)
    const cur = curColumn ? columnSample(curColumn, types[name] ?? ref.type) : undefined
    results.push(columnDrift(name, { reference: ref, current: cur }, settingsFor(name, ref, options)))
  }
  return summarize(results, {
    referenceRows: prepared.rowCount,
    currentRows: current.rowCount,
    driftShare: options.driftShare,
  })
}

export function summarize(
  results: ColumnDriftResult[],
  ctx: { referenceRows: number; currentRows: number; driftShare?: number | undefined },
): DatasetDriftResult {
  const driftShare = ctx.driftShare ?? DEFAULT_DRIFT_SHARE
  const determined = results.filter((r) => r.verdict !== 'undetermined')
  const drifted = determined.filter((r) => r.drifted).length
  const undeterminedColumns = results.filter((r) => r.verdict === 'undetermined').map((r) => r.column)
  const share = determined.length === 0 ? null : drifted / determined.length
  const datasetDrift = share !== null && share >= driftShare
  const out: DatasetDriftResult = {
    columns: results,
    referenceRows: ctx.referenceRows,
    currentRows: ctx.currentRows,
    numberOfColumns: determined.length,
    numberOfDriftedColumns: drifted,
    shareOfDriftedColumns: share,
    driftShare,
    datasetDrift,
    verdict: share === null ? 'undetermined' : datasetDrift ? 'drift' : 'no_drift',
    undeterminedColumns,
  }
  if (share === null) {
    out.explanation =
      ctx.currentRows === 0
        ? 'the current data has no rows: no column could be tested'
        : results.length === 0
          ? 'no columns to compare'
          : "no column could be tested (see each column's explanation)"
  }
  return out
}

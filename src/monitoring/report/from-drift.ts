/** The report's drift section from the core's dataset drift result (src/monitoring/drift). */
import type { ColumnDriftResult, DatasetDriftResult, DriftBins } from '../drift/types.js'
import type { ColumnDriftReport, DriftReport, ReportHistogram } from './report-types.js'

function histogram(b: DriftBins | undefined): ReportHistogram | null {
  if (!b) return null
  if (b.mode === 'histogram' && b.edges) {
    return { kind: 'numeric', edges: b.edges, reference: b.referenceCounts, current: b.currentCounts }
  }
  if (b.mode === 'categories' && b.categories) {
    const categories = b.categories.map(String)
    const reference = [...b.referenceCounts]
    const current = [...b.currentCounts]
    if ((b.otherReference ?? 0) + (b.otherCurrent ?? 0) > 0) {
      categories.push('(other)')
      reference.push(b.otherReference ?? 0)
      current.push(b.otherCurrent ?? 0)
    }
    return { kind: 'categorical', categories, reference, current }
  }
  return null
}

const share = (missing: number, rows: number): number => (rows > 0 ? missing / rows : 0)

export function columnReport(
  c: ColumnDriftResult,
  rows: { reference: number; current: number },
): ColumnDriftReport {
  const out: ColumnDriftReport = {
    column: c.column,
    type: c.columnType === 'numerical' ? 'numeric' : 'categorical',
    method: c.method,
    statistic: c.scoreKind,
    score: c.score !== null && Number.isFinite(c.score) ? c.score : null,
    threshold: c.threshold,
    drifted: c.verdict === 'undetermined' ? null : c.drifted,
    histogram: histogram(c.bins),
    missing: {
      reference: share(c.reference.missing, rows.reference),
      current: share(c.current.missing, rows.current),
    },
  }
  if (c.explanation) out.explanation = c.explanation
  return out
}

export function driftReport(r: DatasetDriftResult): DriftReport {
  const rows = { reference: r.referenceRows, current: r.currentRows }
  return {
    datasetDrift: r.datasetDrift,
    share: r.shareOfDriftedColumns ?? 0,
    driftShare: r.driftShare,
    drifted: r.numberOfDriftedColumns,
    judged: r.numberOfColumns,
    columns: r.columns.map((c) => columnReport(c, rows)),
  }
}

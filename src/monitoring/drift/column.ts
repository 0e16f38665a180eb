/**
 * Drift of one column: aligns the two samples, picks the test (Evidently's defaults unless
 * configured), runs it, and turns every case where the library would answer NaN or ∞ into a
 * defined verdict with an explanation.
 */
import { categoricalBinning, numericBinning, type Binning } from '../stats/binning.js'
import { categoryCountsFrom } from '../stats/category-counts.js'
import { chiSquare, jensenShannon, psi, wassersteinDistance, zTest } from '../stats/divergence.js'
import { ksTest } from '../stats/ks.js'
import { meanStd, unionSize, valueCounts } from '../stats/value-counts.js'
import { sampleDistinct, sampleTotal, type ColumnSample } from './sample.js'
import { defaultMethod, runTest, type TestOutcome } from './tests.js'
import {
  DEFAULT_THRESHOLDS,
  NUMERICAL_ONLY,
  SCORE_KIND,
  type ColumnDriftResult,
  type ColumnType,
  type DriftBins,
  type DriftMethod,
  type DriftStatistics,
  type SampleSummary,
} from './types.js'

export interface ColumnTestSettings {
  method?: DriftMethod
  threshold?: number
  allStatistics?: boolean
}

const CHART_MAX_CATEGORIES = 100
const WASSERSTEIN_STD_FLOOR = 0.001

function summary(s: ColumnSample | undefined): SampleSummary {
  if (!s) return { values: 0, missing: 0, distinct: 0 }
  const values = sampleTotal(s)
  return { values, missing: s.rows - values, distinct: sampleDistinct(s) }
}

/** Reads the current sample as the reference's type when the two differ; undefined if impossible. */
function align(reference: ColumnSample, current: ColumnSample): ColumnSample | { error: string } {
  if (reference.type === current.type) return current
  if (reference.type === 'categorical' && current.type === 'numerical') {
    const vc = current.values
    return {
      type: 'categorical',
      rows: current.rows,
      counts: categoryCountsFrom(Array.from(vc.values, (v, i) => [String(v), vc.counts[i]!] as const)),
    }
  }
  if (current.type !== 'categorical') return current
  const { categories, counts } = current.counts
  const numbers = new Float64Array(current.counts.total)
  let k = 0
  for (let i = 0; i < categories.length; i++) {
    const text = categories[i]!.trim()
    const v = text === '' ? NaN : Number(text)
    if (!Number.isFinite(v)) {
      return {
        error: `the reference column is numerical but the current one holds text (e.g. '${categories[i]}')`,
      }
    }
    numbers.fill(v, k, k + counts[i]!)
    k += counts[i]!
  }
  return { type: 'numerical', rows: current.rows, values: valueCounts(numbers) }
}

function binningOf(reference: ColumnSample, current: ColumnSample): Binning {
  if (reference.type === 'numerical' && current.type === 'numerical')
    return numericBinning(reference.values, current.values)
  if (reference.type === 'categorical' && current.type === 'categorical') {
    return categoricalBinning(reference.counts, current.counts)
  }
  throw new Error('binningOf needs two samples of one type')
}

export function chartBins(b: Binning): DriftBins {
  if (b.mode === 'histogram') {
    return {
      mode: 'histogram',
      edges: Array.from(b.edges!),
      referenceCounts: Array.from(b.referenceCounts),
      currentCounts: Array.from(b.currentCounts),
    }
  }
  const cats = b.categories ?? []
  if (cats.length <= CHART_MAX_CATEGORIES) {
    return {
      mode: 'categories',
      categories: cats,
      referenceCounts: Array.from(b.referenceCounts),
      currentCounts: Array.from(b.currentCounts),
    }
  }
  const order = cats.map((_, i) => i)
  order.sort(
    (x, y) => b.referenceCounts[y]! + b.currentCounts[y]! - (b.referenceCounts[x]! + b.currentCounts[x]!),
  )
  const keep = order.slice(0, CHART_MAX_CATEGORIES).sort((x, y) => x - y)
  const kept = new Set(keep)
  let otherReference = 0
  let otherCurrent = 0
  cats.forEach((_, i) => {
    if (kept.has(i)) return
    otherReference += b.referenceCounts[i]!
    otherCurrent += b.currentCounts[i]!
  })
  return {
    mode: 'categories',
    categories: keep.map((i) => cats[i]!),
    referenceCounts: keep.map((i) => b.referenceCounts[i]!),
    currentCounts: keep.map((i) => b.currentCounts[i]!),
    otherReference,
    otherCurrent,
  }
}

/** Every statistic that applies to the column (for reports). */
export function allStatistics(reference: ColumnSample, current: ColumnSample, b: Binning): DriftStatistics {
  const out: DriftStatistics = {}
  if (reference.type === 'numerical' && current.type === 'numerical') {
    const ks = ksTest(reference.values, current.values)
    out.ks = {
      statistic: ks.statistic,
      pValue: ks.pValue,
      method: ks.method,
      location: ks.location,
      sign: ks.sign,
    }
    const distance = wassersteinDistance(reference.values, current.values)
    const std = meanStd(reference.values).std
    const norm = Math.max(std, WASSERSTEIN_STD_FLOOR)
    out.wasserstein = { distance, referenceStd: std, norm, normed: distance / norm }
  }
  const p = psi(b)
  out.psi = { value: p.value, terms: Array.from(p.terms) }
  out.jensenshannon = { distance: jensenShannon(b) }
  const chi = chiSquare(b, { epsilon: true })
  out.chisquare = {
    statistic: chi.statistic,
    pValue: Number.isNaN(chi.pValue) ? null : chi.pValue,
    dof: chi.dof,
    epsilonApplied: chi.epsilonApplied,
  }
  if ((b.categories?.length ?? 3) <= 2 && b.mode === 'categories') {
    const z = zTest(b)
    out.z = {
      statistic: Number.isNaN(z.statistic) ? null : z.statistic,
      pValue: Number.isNaN(z.pValue) ? null : z.pValue,
      successCategory: z.successCategory,
    }
  }
  return out
}

interface Frame {
  column: string
  columnType: ColumnType
  method: DriftMethod
  threshold: number
  reference: SampleSummary
  current: SampleSummary
}

function undetermined(f: Frame, explanation: string): ColumnDriftResult {
  return {
    ...f,
    scoreKind: SCORE_KIND[f.method],
    score: null,
    verdict: 'undetermined',
    drifted: false,
    explanation,
  }
}

function driftWithoutTest(f: Frame, explanation: string): ColumnDriftResult {
  return { ...f, scoreKind: SCORE_KIND[f.method], score: null, verdict: 'drift', drifted: true, explanation }
}

/**
 * Compares one column. `reference` must exist; a missing `current` (the column is absent from the
 * current data) is reported as drift with an explanation.
 */
export function columnDrift(
  column: string,
  samples: { reference: ColumnSample; current: ColumnSample | undefined },
  settings: ColumnTestSettings = {},
): ColumnDriftResult {
  const { reference } = samples
  const nRef = sampleTotal(reference)
  const columnType = reference.type
  const provisional = settings.method ?? (columnType === 'numerical' ? 'wasserstein' : 'jensenshannon')
  const frame = (method: DriftMethod, cur: ColumnSample | undefined): Frame => ({
    column,
    columnType,
    method,
    threshold: settings.threshold ?? DEFAULT_THRESHOLDS[method],
    reference: summary(reference),
    current: summary(cur),
  })
  if (!samples.current)
    return driftWithoutTest(
      frame(provisional, undefined),
      `column '${column}' is missing from the current data`,
    )
  const aligned = align(reference, samples.current)
  if ('error' in aligned) return driftWithoutTest(frame(provisional, samples.current), aligned.error)
  const current = aligned
  const nCur = sampleTotal(current)
  if (current.rows === 0) return undetermined(frame(provisional, current), 'the current data has no rows')
  if (nRef === 0 && nCur === 0) {
    return undetermined(
      frame(provisional, current),
      'every value is missing in both the reference and the current data',
    )
  }
  if (nCur === 0) {
    return driftWithoutTest(
      frame(provisional, current),
      `all ${current.rows} current values are missing (or not finite)`,
    )
  }
  if (nRef === 0) {
    return driftWithoutTest(
      frame(provisional, current),
      `the reference has no values; the current data has ${nCur}`,
    )
  }
  const union =
    reference.type === 'numerical' && current.type === 'numerical'
      ? unionSize(reference.values, current.values)
      : new Set([
          ...(reference.type === 'categorical' ? reference.counts.categories : []),
          ...(current.type === 'categorical' ? current.counts.categories : []),
        ]).size
  const method = settings.method ?? defaultMethod({ columnType, referenceSize: nRef, uniqueCombined: union })
  const f = frame(method, current)
  if (columnType === 'categorical' && NUMERICAL_ONLY.has(method)) {
    return undetermined(f, `${method} needs a numerical column; '${column}' is categorical`)
  }
  const b = binningOf(reference, current)
  const outcome: TestOutcome = runTest(method, { reference, current, binning: b, uniqueCombined: union })
  const result: ColumnDriftResult = {
    ...f,
    scoreKind: SCORE_KIND[method],
    score: outcome.score,
    ...(outcome.statistic !== undefined ? { statistic: outcome.statistic } : {}),
    verdict: 'no_drift',
    drifted: false,
    bins: chartBins(b),
  }
  if (outcome.score === null) {
    return {
      ...result,
      verdict: 'undetermined',
      explanation: outcome.explanation ?? 'the test could not be computed',
    }
  }
  const drifted =
    method === 'ks'
      ? outcome.score <= f.threshold
      : SCORE_KIND[method] === 'p_value'
        ? outcome.score < f.threshold
        : outcome.score >= f.threshold
  result.verdict = drifted ? 'drift' : 'no_drift'
  result.drifted = drifted
  if (outcome.defined) result.definedResult = true
  if (outcome.explanation) result.explanation = outcome.explanation
  if (settings.allStatistics) result.statistics = allStatistics(reference, current, b)
  return result
}

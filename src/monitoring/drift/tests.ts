/** Evidently's default test choice, and each test run as a score with its defined results. */
import type { Binning } from '../stats/binning.js'
import { chiSquare, jensenShannon, psi, wassersteinDistance, zTest } from '../stats/divergence.js'
import { ksTest } from '../stats/ks.js'
import { meanStd } from '../stats/value-counts.js'
import type { ColumnSample } from './sample.js'
import type { ColumnType, DriftMethod } from './types.js'

/** Evidently's reference-size split: small references get hypothesis tests, large ones distances. */
export const SMALL_REFERENCE_MAX_ROWS = 1000
const NUMERICAL_MIN_UNIQUE_FOR_CONTINUOUS = 5
const STD_FLOOR = 0.001

/**
 * Evidently's _get_default_stattest: n ≤ 1000 → KS (numerical with more than 5 distinct values),
 * else χ² (more than 2 distinct values) or Z; n > 1000 → normed Wasserstein (numerical, more than
 * 5 distinct values) or Jensen–Shannon. n counts the reference's non-missing values; distinct
 * values are counted over reference ∪ current.
 */
export function defaultMethod(opts: {
  columnType: ColumnType
  referenceSize: number
  uniqueCombined: number
}): DriftMethod {
  const continuous =
    opts.columnType === 'numerical' && opts.uniqueCombined > NUMERICAL_MIN_UNIQUE_FOR_CONTINUOUS
  if (opts.referenceSize <= SMALL_REFERENCE_MAX_ROWS) {
    if (continuous) return 'ks'
    return opts.uniqueCombined > 2 ? 'chisquare' : 'z'
  }
  return continuous ? 'wasserstein' : 'jensenshannon'
}

export interface TestOutcome {
  /** p-value or distance; null when the test does not apply to this data. */
  score: number | null
  statistic?: number | null
  defined?: boolean
  explanation?: string
}

interface TestInput {
  reference: ColumnSample
  current: ColumnSample
  binning: Binning
  uniqueCombined: number
}

export function runTest(method: DriftMethod, input: TestInput): TestOutcome {
  const { reference, current, binning } = input
  switch (method) {
    case 'ks': {
      if (reference.type !== 'numerical' || current.type !== 'numerical')
        return { score: null, explanation: 'ks needs numbers' }
      const r = ksTest(reference.values, current.values)
      return { score: r.pValue, statistic: r.statistic }
    }
    case 'wasserstein': {
      if (reference.type !== 'numerical' || current.type !== 'numerical') {
        return { score: null, explanation: 'wasserstein needs numbers' }
      }
      const distance = wassersteinDistance(reference.values, current.values)
      const std = meanStd(reference.values).std
      if (std < STD_FLOOR) {
        return {
          score: distance / STD_FLOOR,
          statistic: distance,
          explanation: `reference standard deviation ${std} is below ${STD_FLOOR}; the distance is divided by ${STD_FLOOR} (Evidently's floor)`,
        }
      }
      return { score: distance / std, statistic: distance }
    }
    case 'jensenshannon':
      return { score: jensenShannon(binning) }
    case 'psi':
      return { score: psi(binning).value }
    case 'chisquare': {
      const r = chiSquare(binning, { epsilon: true })
      if (r.dof === 0) {
        return {
          score: 1,
          statistic: 0,
          defined: true,
          explanation:
            'a single category in reference and current: chi-squared has 0 degrees of freedom (scipy answers NaN); defined as p = 1, no drift',
        }
      }
      const out: TestOutcome = { score: r.pValue, statistic: r.statistic }
      if (r.epsilonApplied) {
        out.defined = true
        out.explanation =
          'categories or bins seen only in the current data: their expected count would be 0 (χ² = ∞); the reference shares were zero-filled and renormalised (epsilon rule)'
      }
      return out
    }
    case 'z': {
      if (binning.mode !== 'categories' || (binning.categories?.length ?? 0) > 2) {
        return {
          score: null,
          explanation: `the two-proportion Z-test needs at most 2 distinct values; found ${input.uniqueCombined}`,
        }
      }
      const r = zTest(binning)
      if (Number.isNaN(r.pValue)) {
        return {
          score: 1,
          statistic: null,
          defined: true,
          explanation:
            "one value in both samples: the Z formula is 0/0; defined as p = 1, no drift (Evidently's convention)",
        }
      }
      return { score: r.pValue, statistic: r.statistic }
    }
  }
}

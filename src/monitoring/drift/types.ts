/** Options and results of drift detection (docs/monitoring.md, "Drift"). JSON-serializable results. */

export const DRIFT_METHODS = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'] as const
export type DriftMethod = (typeof DRIFT_METHODS)[number]
export type ColumnType = 'numerical' | 'categorical'

/** Evidently's default_threshold per test. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
}

/** p-value tests drift when the score is below the threshold, distances when at or above it. */
export const SCORE_KIND: Readonly<Record<DriftMethod, 'p_value' | 'distance'>> = {
  ks: 'p_value',
  chisquare: 'p_value',
  z: 'p_value',
  wasserstein: 'distance',
  jensenshannon: 'distance',
  psi: 'distance',
}

/** Tests that only make sense on numbers. */
export const NUMERICAL_ONLY: ReadonlySet<DriftMethod> = new Set(['ks', 'wasserstein'])

export const DEFAULT_DRIFT_SHARE = 0.5

export interface ColumnDriftOptions {
  method?: DriftMethod
  threshold?: number
  /** Read the column as this type, e.g. numeric class labels as categorical. */
  columnType?: ColumnType
}

export interface DriftOptions {
  /** Columns to compare; default every reference column. */
  columns?: readonly string[]
  /** One method for every column (overridden by the per-type and per-column settings). */
  method?: DriftMethod
  numericalMethod?: DriftMethod
  categoricalMethod?: DriftMethod
  threshold?: number
  numericalThreshold?: number
  categoricalThreshold?: number
  perColumn?: Record<string, ColumnDriftOptions>
  /** Dataset drift when the share of drifted columns is at least this (default 0.5). */
  driftShare?: number
  /** Compute every applicable statistic, not only the selected test's (for reports). */
  allStatistics?: boolean
}

/** 'undetermined' is never "no drift": the data did not allow a test (see `explanation`). */
export type DriftVerdict = 'drift' | 'no_drift' | 'undetermined'

export interface SampleSummary {
  /** Values used by the tests (missing and non-finite values are dropped, as Evidently does). */
  values: number
  /** Missing (and, for numbers, non-finite) values dropped. */
  missing: number
  distinct: number
}

/** The bins of a column for charts: histogram edges or categories, with counts on both sides. */
export interface DriftBins {
  mode: 'histogram' | 'categories'
  edges?: number[]
  categories?: (number | string)[]
  referenceCounts: number[]
  currentCounts: number[]
  /** For categories beyond the chart limit: the counts they hold together. */
  otherReference?: number
  otherCurrent?: number
}

export interface DriftStatistics {
  ks?: { statistic: number; pValue: number; method: 'exact' | 'asymp'; location: number; sign: 1 | -1 }
  wasserstein?: { distance: number; referenceStd: number; norm: number; normed: number }
  psi?: { value: number; terms: number[] }
  jensenshannon?: { distance: number }
  chisquare?: {
    statistic: number
    pValue: number | null
    dof: number
    epsilonApplied: boolean
  }
  z?: { statistic: number | null; pValue: number | null; successCategory: number | string | null }
}

export interface ColumnDriftResult {
  column: string
  columnType: ColumnType
  method: DriftMethod
  scoreKind: 'p_value' | 'distance'
  threshold: number
  /** The test's p-value or distance; null only when the verdict is 'undetermined' or no test could run. */
  score: number | null
  /** The test statistic where it has one (KS D, χ², z). */
  statistic?: number | null
  verdict: DriftVerdict
  drifted: boolean
  /** True when the library result would be NaN or infinite and a defined result stands in. */
  definedResult?: boolean
  /** Why the verdict is what it is, for every defined or undetermined result. */
  explanation?: string
  reference: SampleSummary
  current: SampleSummary
  bins?: DriftBins
  statistics?: DriftStatistics
}

export interface DatasetDriftResult {
  columns: ColumnDriftResult[]
  referenceRows: number
  currentRows: number
  /** Columns with a verdict of 'drift' or 'no_drift'. */
  numberOfColumns: number
  numberOfDriftedColumns: number
  /** Drifted / determined columns; null when no column could be tested. */
  shareOfDriftedColumns: number | null
  driftShare: number
  datasetDrift: boolean
  verdict: DriftVerdict
  undeterminedColumns: string[]
  explanation?: string
}

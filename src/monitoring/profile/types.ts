/**
 * The reference profile (format 'cairn.profile', version 1): what a model's training data looked
 * like, column by column, plus a compact copy of each column's distribution that drift tests
 * can run against. Plain JSON (no NaN: an undefined statistic is null). docs/monitoring.md
 * ("Reference profiles") documents every field.
 */

export const PROFILE_FORMAT = 'cairn.profile'
export const PROFILE_VERSION = 1

export type ColumnRole = 'feature' | 'target' | 'prediction'

export interface NumericalSummary {
  /** ±Infinity values (counted apart from missing; drift tests drop them). */
  nonFinite: number
  min: number | null
  max: number | null
  mean: number | null
  /** Population standard deviation (ddof = 0, as np.std and Evidently). */
  std: number | null
  zeros: number
  /** numpy's default (linear) quantiles of the finite values, keyed "0.5" etc. */
  quantiles: Record<string, number | null>
  /** np.histogram with Sturges edges on the finite values. */
  histogram: { edges: number[]; counts: number[] } | null
}

export interface CategoricalSummary {
  /** The most frequent categories (at most the profile's category limit), most frequent first. */
  categories: { value: string; count: number; share: number }[]
  /** Values of the categories beyond the limit, together. */
  otherCount: number
}

/** A column's distribution for drift: distinct numbers with counts, or category counts. */
export type DriftSample =
  | {
      kind: 'numerical'
      values: number[]
      counts: number[]
      /** Rows the sample stands for (all rows, or the sampled rows when `sampled`). */
      rows: number
      sampled: boolean
    }
  | { kind: 'categorical'; categories: string[]; counts: number[]; rows: number; sampled: boolean }

export interface ColumnProfile {
  name: string
  type: 'numerical' | 'categorical'
  role: ColumnRole
  /** Rows, including missing ones. */
  count: number
  missing: number
  missingShare: number | null
  distinct: number
  /** Every non-missing value differs from every other (and there is at least one). */
  unique: boolean
  numerical?: NumericalSummary
  categorical?: CategoricalSummary
  drift: DriftSample
}

export interface Profile {
  format: typeof PROFILE_FORMAT
  version: typeof PROFILE_VERSION
  createdAt: string
  rowCount: number
  /** Which columns are the target and the model's predictions, if known. */
  target?: string
  prediction?: string[]
  columns: ColumnProfile[]
  /** Free-form provenance (dataset name, run id, model version...). */
  source?: Record<string, string>
}

export interface ProfileOptions {
  target?: string
  prediction?: string | readonly string[]
  /** Read these columns as categorical (e.g. numeric class labels). */
  categorical?: readonly string[]
  /** Quantiles to record (default 0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1). */
  quantiles?: readonly number[]
  /** Categories kept per column (default 1,000). */
  maxCategories?: number
  /** A numerical column with more distinct values than this keeps a random sample for drift (default 10,000). */
  driftSampleSize?: number
  /** Seed of that sample (default 0), so profiles are reproducible. */
  seed?: number
  source?: Record<string, string>
  /** The time written into createdAt (default now). */
  now?: Date
}

/**
 * computeProfile(table): the reference profile of a dataset (types.ts). One pass per column
 * builds its counted distinct values; every statistic and the drift sample come from those.
 */
import { invalidParameter } from '../../protocol/errors.js'
import { categoryCounts, compareCodePoints, type CategoryCounts } from '../stats/category-counts.js'
import { valueCounts, type ValueCounts } from '../stats/value-counts.js'
import {
  numericAsCategorical,
  type CategoricalColumn,
  type Column,
  type NumericColumn,
  type Table,
} from '../table/table.js'
import { DEFAULT_QUANTILES, numericalSummary } from './numerical.js'
import {
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type ColumnProfile,
  type ColumnRole,
  type DriftSample,
  type Profile,
  type ProfileOptions,
} from './types.js'

export const DEFAULT_MAX_CATEGORIES = 1000
export const DEFAULT_DRIFT_SAMPLE_SIZE = 10_000

/** mulberry32: a small seeded PRNG, so sampled profiles are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** k distinct row indices out of n, ascending (Floyd's algorithm). */
export function sampleRows(n: number, k: number, seed: number): Int32Array {
  const rand = rng(seed)
  const chosen = new Set<number>()
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rand() * (j + 1))
    chosen.add(chosen.has(t) ? j : t)
  }
  return Int32Array.from(chosen).sort()
}

function numericSample(c: NumericColumn, vc: ValueCounts, opts: { size: number; seed: number }): DriftSample {
  const n = c.values.length
  if (vc.values.length <= opts.size || n <= opts.size) {
    return {
      kind: 'numerical',
      values: Array.from(vc.values),
      counts: Array.from(vc.counts),
      rows: n,
      sampled: false,
    }
  }
  const rows = sampleRows(n, opts.size, opts.seed)
  const picked = Float64Array.from(rows, (r) => c.values[r]!)
  const s = valueCounts(picked)
  return {
    kind: 'numerical',
    values: Array.from(s.values),
    counts: Array.from(s.counts),
    rows: rows.length,
    sampled: true,
  }
}

function categoricalSample(
  c: CategoricalColumn,
  cc: CategoryCounts,
  opts: { size: number; seed: number },
): DriftSample {
  const n = c.codes.length
  if (cc.categories.length <= opts.size || n <= opts.size) {
    return {
      kind: 'categorical',
      categories: [...cc.categories],
      counts: Array.from(cc.counts),
      rows: n,
      sampled: false,
    }
  }
  const rows = sampleRows(n, opts.size, opts.seed)
  const counts = new Map<string, number>()
  for (const r of rows) {
    const code = c.codes[r]!
    if (code < 0) continue
    const v = c.dictionary[code]!
    counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  return {
    kind: 'categorical',
    categories: [...counts.keys()],
    counts: [...counts.values()],
    rows: rows.length,
    sampled: true,
  }
}

function roleOf(name: string, opts: ProfileOptions): ColumnRole {
  if (name === opts.target) return 'target'
  const p = opts.prediction
  if (p !== undefined && (typeof p === 'string' ? p === name : p.includes(name))) return 'prediction'
  return 'feature'
}

interface Settings {
  quantiles: readonly number[]
  maxCategories: number
  sample: { size: number; seed: number }
}

function profileNumeric(c: NumericColumn, role: ColumnRole, s: Settings): ColumnProfile {
  let missing = 0
  let nonFinite = 0
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i]!
    if (v !== v) missing++
    else if (v === Infinity || v === -Infinity) nonFinite++
  }
  const vc = valueCounts(c.values)
  const count = c.values.length
  return {
    name: c.name,
    type: 'numerical',
    role,
    count,
    missing,
    missingShare: count === 0 ? null : missing / count,
    distinct: vc.values.length,
    unique: vc.total > 0 && nonFinite === 0 && vc.values.length === vc.total,
    numerical: numericalSummary(vc, { nonFinite, quantiles: s.quantiles }),
    drift: numericSample(c, vc, s.sample),
  }
}

function profileCategorical(c: CategoricalColumn, role: ColumnRole, s: Settings): ColumnProfile {
  const cc = categoryCounts(c)
  const count = c.codes.length
  const missing = count - cc.total
  const order = cc.categories.map((_, i) => i)
  order.sort(
    (a, b) => cc.counts[b]! - cc.counts[a]! || compareCodePoints(cc.categories[a]!, cc.categories[b]!),
  )
  const kept = order.slice(0, s.maxCategories)
  let otherCount = 0
  for (const i of order.slice(s.maxCategories)) otherCount += cc.counts[i]!
  return {
    name: c.name,
    type: 'categorical',
    role,
    count,
    missing,
    missingShare: count === 0 ? null : missing / count,
    distinct: cc.categories.length,
    unique: cc.total > 0 && cc.categories.length === cc.total,
    categorical: {
      categories: kept.map((i) => ({
        value: cc.categories[i]!,
        count: cc.counts[i]!,
        share: cc.counts[i]! / cc.total,
      })),
      otherCount,
    },
    drift: categoricalSample(c, cc, s.sample),
  }
}

export function profileColumn(c: Column, opts: ProfileOptions = {}): ColumnProfile {
  const s: Settings = {
    quantiles: opts.quantiles ?? DEFAULT_QUANTILES,
    maxCategories: opts.maxCategories ?? DEFAULT_MAX_CATEGORIES,
    sample: { size: opts.driftSampleSize ?? DEFAULT_DRIFT_SAMPLE_SIZE, seed: opts.seed ?? 0 },
  }
  const role = roleOf(c.name, opts)
  if (c.kind === 'numeric' && opts.categorical?.includes(c.name))
    return profileCategorical(numericAsCategorical(c), role, s)
  return c.kind === 'numeric' ? profileNumeric(c, role, s) : profileCategorical(c, role, s)
}

/**
 * Profiles every column of a table.
 *
 *   const profile = computeProfile(train, { target: 'label', prediction: 'predicted', categorical: ['label', 'predicted'] })
 */
export function computeProfile(table: Table, opts: ProfileOptions = {}): Profile {
  for (const q of opts.quantiles ?? [])
    if (!(q >= 0 && q <= 1)) throw invalidParameter(`quantile ${q} is not within [0, 1]`)
  const names = new Set(table.columns.map((c) => c.name))
  const prediction =
    opts.prediction === undefined
      ? []
      : typeof opts.prediction === 'string'
        ? [opts.prediction]
        : [...opts.prediction]
  for (const n of [...(opts.target ? [opts.target] : []), ...prediction]) {
    if (!names.has(n)) throw invalidParameter(`Column '${n}' is not in the data`)
  }
  const profile: Profile = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    createdAt: (opts.now ?? new Date()).toISOString(),
    rowCount: table.rowCount,
    ...(opts.target ? { target: opts.target } : {}),
    ...(prediction.length > 0 ? { prediction } : {}),
    columns: table.columns.map((c) => profileColumn(c, opts)),
  }
  if (opts.source) profile.source = { ...opts.source }
  return profile
}

/** Class labels as scikit-learn sees them: the sorted union of the labels present. */
import { compareCodePoints } from '../stats/category-counts.js'

export type Label = number | string

/** A metric that may be undefined: value null with the reason sklearn would raise. */
export interface MetricValue {
  value: number | null
  /** sklearn's UndefinedMetricWarning (the value is then sklearn's defined stand-in, e.g. 0). */
  warning?: string
  /** Why there is no value (sklearn raises ValueError here). */
  error?: string
}

export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return compareCodePoints(String(a), String(b))
}

export function sortedLabels(...arrays: ArrayLike<Label>[]): Label[] {
  const set = new Set<Label>()
  for (const arr of arrays) for (let i = 0; i < arr.length; i++) set.add(arr[i]!)
  return [...set].sort(compareLabels)
}

export function labelIndex(labels: readonly Label[]): Map<Label, number> {
  return new Map(labels.map((l, i) => [l, i]))
}

export function checkLengths(what: string, ...arrays: ArrayLike<unknown>[]): void {
  const n = arrays[0]?.length ?? 0
  if (arrays.some((a) => a.length !== n))
    throw new RangeError(`${what}: inputs have different lengths (${arrays.map((a) => a.length).join(', ')})`)
}

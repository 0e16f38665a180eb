/** The time-ordered split: the oldest days train, the next ones validate, the newest ones test. */
import type { FeatureRow } from './features.js'

export interface Split {
  train: FeatureRow[]
  val: FeatureRow[]
  test: FeatureRow[]
}

const MIN_ROWS = 30

export function timeSplit(rows: readonly FeatureRow[], valFraction: number, testFraction: number): Split {
  if (!(valFraction > 0 && testFraction > 0 && valFraction + testFraction < 0.9)) {
    throw new Error(
      `val_fraction (${valFraction}) and test_fraction (${testFraction}) must be above 0 and leave at least 10% of the days for training`,
    )
  }
  const labelled = rows.filter((r) => r.label !== null)
  for (let i = 1; i < labelled.length; i++) {
    if (labelled[i]!.date <= labelled[i - 1]!.date)
      throw new Error(`feature rows are not in date order at ${labelled[i]!.date}`)
  }
  const n = labelled.length
  const nTest = Math.round(n * testFraction)
  const nVal = Math.round(n * valFraction)
  const split = {
    train: labelled.slice(0, n - nVal - nTest),
    val: labelled.slice(n - nVal - nTest, n - nTest),
    test: labelled.slice(n - nTest),
  }
  for (const [name, part] of Object.entries(split)) {
    if (part.length < MIN_ROWS)
      throw new Error(
        `the ${name} period has ${part.length} days; at least ${MIN_ROWS} are needed (${n} labelled days in all)`,
      )
  }
  return split
}

export const xOf = (rows: readonly FeatureRow[]): number[][] => rows.map((r) => r.values)
export const yOf = (rows: readonly FeatureRow[]): number[] => rows.map((r) => r.label!)
export const period = (rows: readonly FeatureRow[]): string => `${rows[0]!.date}..${rows.at(-1)!.date}`

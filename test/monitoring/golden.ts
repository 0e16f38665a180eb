/** Loading and comparing the stats-golden fixtures with the tolerances of their README. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'fixtures', 'stats-golden')

/** Parses a golden file, turning "NaN" / "Infinity" / "-Infinity" strings back into numbers. */
export function loadGolden<T>(file: string): T {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8'), (_k, v: unknown) =>
    v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  ) as T
}

/** Statistics: relative 1e-9, or |actual| ≤ 1e-12 when 0 is expected; non-finite must match. */
export function expectStat(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    expect(
      Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected)),
      `${what}: ${actual} vs ${expected}`,
    ).toBe(true)
    return
  }
  const ok =
    expected === 0 ? Math.abs(actual) <= 1e-12 : Math.abs(actual - expected) <= 1e-9 * Math.abs(expected)
  expect(ok, `${what}: ${actual} vs ${expected}`).toBe(true)
}

/** p-values: relative 1e-6 or absolute 1e-12. */
export function expectP(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    expect(Number.isNaN(actual) && Number.isNaN(expected), `${what}: ${actual} vs ${expected}`).toBe(true)
    return
  }
  const d = Math.abs(actual - expected)
  expect(d <= 1e-6 * Math.abs(expected) || d <= 1e-12, `${what}: ${actual} vs ${expected}`).toBe(true)
}

export function expectStats(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length)
  expected.forEach((e, i) => expectStat(actual[i]!, e, `${what}[${i}]`))
}

import { describe, expect, it } from 'vitest'
import { sortInPlace } from './sort.js'
import { runLengths, valueCounts } from './value-counts.js'

/** A deterministic generator (xorshift) so the test data are the same every run. */
function numbers(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed >>> 0 || 1
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = f((s >>> 0) / 2 ** 32)
  }
  return out
}

describe('sortInPlace', () => {
  it('sorts large arrays exactly as TypedArray#sort, negatives, zeros and subnormals included', () => {
    const a = numbers(50_000, 7, (u) =>
      u < 0.1 ? 0 : u < 0.15 ? -0 : u < 0.2 ? 5e-324 * Math.round(u * 100) : (u - 0.5) * 1e6,
    )
    const expected = a.slice().sort()
    const got = sortInPlace(a.slice())
    expect(Array.from(got).map(Number)).toEqual(Array.from(expected).map(Number))
  })

  it('sorts integer-valued floats (digits equal in every value are skipped)', () => {
    const a = numbers(20_000, 3, (u) => Math.round(u * 500) - 250)
    expect(Array.from(sortInPlace(a.slice()))).toEqual(Array.from(a.slice().sort()))
  })
})

describe('valueCounts', () => {
  it('counts integers directly and agrees with sorting', () => {
    const a = numbers(30_000, 11, (u) => Math.round(u * 1000))
    const counted = valueCounts(a)
    const sorted = runLengths(a.slice().sort())
    expect(Array.from(counted.values)).toEqual(Array.from(sorted.values))
    expect(Array.from(counted.counts)).toEqual(Array.from(sorted.counts))
    expect(counted.total).toBe(30_000)
  })

  it('drops NaN and ±Infinity, as Evidently does before every test', () => {
    const vc = valueCounts(Float64Array.from([1, NaN, Infinity, 2.5, -Infinity, 1]))
    expect(Array.from(vc.values)).toEqual([1, 2.5])
    expect(Array.from(vc.counts)).toEqual([2, 1])
    expect(vc.total).toBe(3)
  })
})

import { describe, expect, it } from 'vitest'
import { extent, linearScale, niceTicks, smooth } from './scale.js'

describe('chart scales', () => {
  it('picks round ticks inside the domain', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(3, 97, 4)).toEqual([20, 40, 60, 80])
    expect(niceTicks(Number.NaN, 1)).toEqual([])
  })

  it('maps a domain linearly onto a range, flipped for y', () => {
    const y = linearScale(0, 10, 100, 0)
    expect(y(0)).toBe(100)
    expect(y(10)).toBe(0)
    expect(y(5)).toBe(50)
  })

  it('takes the finite extent of several series with a margin', () => {
    expect(
      extent(
        [
          [1, Number.NaN, 3],
          [Infinity, 2],
        ],
        0,
      ),
    ).toEqual([1, 3])
    expect(extent([], 0)).toEqual([0, 1])
    expect(extent([[5]], 0)).toEqual([4, 6])
  })

  it('smooths with a debiased moving average that starts at the first value and skips NaN', () => {
    const s = smooth([1, 1, 1, Number.NaN, 1], 0.9)
    expect(s[0]).toBeCloseTo(1)
    expect(s[2]).toBeCloseTo(1)
    expect(s[3]).toBeNaN()
    const step = smooth([0, 10, 10, 10], 0.5)
    expect(step[1]!).toBeGreaterThan(0)
    expect(step[1]!).toBeLessThan(10)
    expect(smooth([3, 4], 0)).toEqual(new Float64Array([3, 4]))
  })
})

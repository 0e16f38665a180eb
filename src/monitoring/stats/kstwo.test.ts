import { describe, expect, it } from 'vitest'
import { kstwoSf } from './kstwo.js'

// scipy.stats.kstwo.sf(x, n) (scipy 1.17, the same algorithm choice as 1.10), one case per branch:
// Durbin matrix, Pomeranz, Birnbaum–Tingey (2·smirnov), Pelz–Good, for small and large n.
const SCIPY: [n: number, x: number, sf: number][] = [
  [10, 0.3, 0.27053557479999946],
  [10, 0.6, 0.0005681672000000003],
  [100, 0.1, 0.2526927570063874],
  [100, 0.2, 0.0005551927327988775],
  [141, 0.05, 0.854845693009663],
  [500, 0.06, 0.05243463489026223],
  [500, 0.2, 5.256835361945869e-18],
  [5000, 0.03, 0.00024159234422666817],
  [100000, 0.004, 0.08130148920222469],
  [500000, 0.0015, 0.21034190155828947],
  [500000, 0.003, 0.00024632301239186754],
  [2000000, 0.0005, 0.6991771101944894],
  [50, 0.5, 4.392853499119748e-12],
  [50, 0.98, 2.251799813685348e-85],
]

describe('kstwoSf', () => {
  for (const [n, x, sf] of SCIPY) {
    it(`matches scipy for n = ${n}, D = ${x}`, () => {
      const got = kstwoSf(n, x)
      expect(Math.abs(got - sf) <= 1e-6 * sf || Math.abs(got - sf) <= 1e-12, `${got} vs ${sf}`).toBe(true)
    })
  }

  it('is 1 at D = 0, 0 at D = 1, and NaN for a non-integer n', () => {
    expect(kstwoSf(20, 0)).toBe(1)
    expect(kstwoSf(20, 1)).toBe(0)
    expect(kstwoSf(2.5, 0.3)).toBeNaN()
  })
})

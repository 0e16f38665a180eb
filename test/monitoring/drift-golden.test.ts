/**
 * Replays every case of test/fixtures/stats-golden/drift.json (scipy / numpy / Evidently's rules)
 * against the monitoring statistics, with the README's tolerances.
 */
import { describe, expect, it } from 'vitest'
import { columnDrift } from '../../src/monitoring/drift/column.js'
import { columnSample } from '../../src/monitoring/drift/sample.js'
import {
  categoricalBinning,
  fillZeros,
  numericBinning,
  shares,
  type Binning,
} from '../../src/monitoring/stats/binning.js'
import { categoryCountsFrom } from '../../src/monitoring/stats/category-counts.js'
import {
  chiSquare,
  jensenShannon,
  psi,
  wassersteinDistance,
  zTest,
} from '../../src/monitoring/stats/divergence.js'
import { ksAsympPValue, ksTest } from '../../src/monitoring/stats/ks.js'
import { fromSamples, meanStd, unionSize, type ValueCounts } from '../../src/monitoring/stats/value-counts.js'
import { categoricalColumn, numericColumn } from '../../src/monitoring/table/table.js'
import { expectP, expectStat, expectStats, loadGolden } from './golden.js'

interface DriftCase {
  name: string
  kind: 'numerical' | 'categorical'
  flags: string[]
  reference: (number | string)[]
  current: (number | string)[]
  expected: any
  undefined?: { path: string; suggested_defined_result: string }[]
}

const golden = loadGolden<{ cases: DriftCase[] }>('drift.json')

function samples(c: DriftCase): {
  binning: Binning
  ref?: ValueCounts
  cur?: ValueCounts
  uniqueRef: number
  uniqueCur: number
  union: number
} {
  if (c.kind === 'numerical') {
    const ref = fromSamples(c.reference as number[])
    const cur = fromSamples(c.current as number[])
    return {
      binning: numericBinning(ref, cur),
      ref,
      cur,
      uniqueRef: ref.values.length,
      uniqueCur: cur.values.length,
      union: unionSize(ref, cur),
    }
  }
  const counts = (xs: (number | string)[]) => categoryCountsFrom(xs.map((x) => [String(x), 1] as const))
  const r = counts(c.reference)
  const q = counts(c.current)
  return {
    binning: categoricalBinning(r, q),
    uniqueRef: r.categories.length,
    uniqueCur: q.categories.length,
    union: new Set([...r.categories, ...q.categories]).size,
  }
}

/** Our own reading of the golden flags, derived from our results. */
function flagsOf(c: DriftCase, s: ReturnType<typeof samples>): string[] {
  const b = s.binning
  const flags: string[] = []
  if (s.uniqueRef === 1) flags.push('constant_reference')
  if (s.uniqueCur === 1) flags.push('constant_current')
  if (s.union === 1) flags.push('single_value_overall')
  if (s.ref && meanStd(s.ref).std < 0.001) flags.push('std_floor_applied')
  const r0 = Array.from(b.referenceCounts, (v) => v === 0)
  const c0 = Array.from(b.currentCounts, (v) => v === 0)
  if (r0.some((z, i) => z && !c0[i])) flags.push('bins_empty_in_reference_only')
  if (c0.some((z, i) => z && !r0[i])) flags.push('bins_empty_in_current_only')
  if (r0.some((z, i) => z && c0[i])) flags.push('bins_empty_in_both')
  const chi = chiSquare(b, { epsilon: true })
  if (chi.epsilonApplied) flags.push('chisquare_epsilon_applied')
  const raw = chiSquare(b, { epsilon: false })
  const z = s.union <= 2 ? zTest(b) : undefined
  if (!Number.isFinite(raw.statistic) || Number.isNaN(raw.pValue) || (z && Number.isNaN(z.pValue)))
    flags.push('non_finite_library_result')
  void c
  return flags
}

describe('drift statistics match stats-golden/drift.json', () => {
  it('holds the 24 documented cases', () => {
    expect(golden.cases).toHaveLength(24)
  })

  for (const c of golden.cases) {
    describe(c.name, () => {
      const e = c.expected
      const s = samples(c)

      it('counts rows and distinct values', () => {
        expect(s.binning.referenceTotal).toBe(e.n_reference)
        expect(s.binning.currentTotal).toBe(e.n_current)
        expect(s.uniqueRef).toBe(e.unique_reference)
        expect(s.uniqueCur).toBe(e.unique_current)
        expect(s.union).toBe(e.unique_combined)
      })

      it('raises the same flags', () => {
        expect(flagsOf(c, s)).toEqual(c.flags)
      })

      if (c.kind === 'numerical') {
        it('computes the KS statistic and its exact and asymptotic p-values', () => {
          const ks = ksTest(s.ref!, s.cur!)
          expectStat(ks.statistic, e.ks.statistic_exact ?? e.ks.statistic, 'statistic')
          expectP(ks.pValue, e.ks.p_value, 'p_value')
          expect(ks.method).toBe(e.ks.method_auto_used)
          expect(ks.location).toBe(e.ks.statistic_location)
          expect(ks.sign).toBe(e.ks.statistic_sign)
          expectP(ksTest(s.ref!, s.cur!, 'exact').pValue, e.ks.p_value_exact, 'p_value_exact')
          expectP(
            ksAsympPValue(s.ref!.total, s.cur!.total, e.ks.statistic_asymp),
            e.ks.p_value_asymp,
            'p_value_asymp',
          )
          expectP(ksTest(s.ref!, s.cur!, 'asymp').pValue, e.ks.p_value_asymp, 'p_value_asymp via ksTest')
        })

        it('computes the raw and normed Wasserstein distance', () => {
          const w = wassersteinDistance(s.ref!, s.cur!)
          const std = meanStd(s.ref!).std
          expectStat(w, e.wasserstein.distance, 'distance')
          expectStat(std, e.wasserstein.reference_std, 'reference_std')
          expectStat(Math.max(std, 0.001), e.wasserstein.norm, 'norm')
          expectStat(w / Math.max(std, 0.001), e.wasserstein.normed, 'normed')
        })
      }

      it('bins as Evidently and numpy do, with the zero fill', () => {
        const b = s.binning
        const eb = e.binning
        expect(b.mode).toBe(eb.mode)
        if (b.mode === 'histogram') {
          expect(b.edges!.length - 1).toBe(eb.n_bins)
          expect(Array.from(b.edges!)).toEqual(eb.edges)
        } else {
          expect(b.categories).toEqual(eb.categories)
        }
        expect(Array.from(b.referenceCounts)).toEqual(eb.reference_counts)
        expect(Array.from(b.currentCounts)).toEqual(eb.current_counts)
        const rs = shares(b.referenceCounts, b.referenceTotal)
        const cs = shares(b.currentCounts, b.currentTotal)
        expectStats(rs, eb.reference_percents, 'reference_percents')
        expectStats(cs, eb.current_percents, 'current_percents')
        const rf = fillZeros(rs)
        const cf = fillZeros(cs)
        expect(rf.fillValue === null ? null : rf.fillValue).toBe(eb.reference_fill_value)
        expect(cf.fillValue === null ? null : cf.fillValue).toBe(eb.current_fill_value)
        expectStats(rf.filled, eb.reference_percents_filled, 'reference_percents_filled')
        expectStats(cf.filled, eb.current_percents_filled, 'current_percents_filled')
      })

      it('computes PSI per bin and in total, and the Jensen–Shannon distance', () => {
        const p = psi(s.binning)
        expectStat(p.value, e.psi.value, 'psi')
        expectStats(p.terms, e.psi.terms, 'psi terms')
        expectStat(jensenShannon(s.binning), e.jensenshannon.distance, 'jensenshannon')
      })

      it('computes chi-squared with the epsilon rule and as Evidently does', () => {
        for (const [key, epsilon] of [
          ['chisquare', true],
          ['chisquare_no_epsilon', false],
        ] as const) {
          const r = chiSquare(s.binning, { epsilon })
          const x = e[key]
          expect(r.binsUsed, key).toEqual(x.bins_used)
          expect(Array.from(r.observed), key).toEqual(x.observed)
          expectStats(r.expected, x.expected, `${key}.expected`)
          expectStat(r.statistic, x.statistic, `${key}.statistic`)
          expectP(r.pValue, x.p_value, `${key}.p_value`)
          expect(r.dof, key).toBe(x.dof)
          if (epsilon) expect(r.epsilonApplied).toBe(x.epsilon_applied)
        }
      })

      if (e.z_test) {
        it('computes the two-proportion Z-test', () => {
          const z = zTest(s.binning)
          expect(z.categories).toEqual(e.z_test.categories)
          expect(z.successCategory).toBe(e.z_test.success_category)
          expectStat(z.pReference, e.z_test.p_reference, 'p_reference')
          expectStat(z.pCurrent, e.z_test.p_current, 'p_current')
          expectStat(z.pooled, e.z_test.pooled, 'pooled')
          expectStat(z.statistic, e.z_test.statistic, 'statistic')
          expectP(z.pValue, e.z_test.p_value, 'p_value')
          if (Number.isFinite(z.pValue)) expectP(z.pValue, e.z_test.p_value_evidently, 'p_value_evidently')
        })
      }

      it("picks Evidently's default test, threshold and verdict", () => {
        const column =
          c.kind === 'numerical'
            ? numericColumn('x', c.reference as number[])
            : categoricalColumn('x', c.reference.map(String))
        const current =
          c.kind === 'numerical'
            ? numericColumn('x', c.current as number[])
            : categoricalColumn('x', c.current.map(String))
        const r = columnDrift('x', { reference: columnSample(column), current: columnSample(current) })
        const d = e.evidently_default
        expect(r.method).toBe(d.test)
        expect(r.threshold).toBe(d.threshold)
        expect(r.drifted).toBe(d.drift)
        expect(r.verdict).toBe(d.drift ? 'drift' : 'no_drift')
        expect(r.score).not.toBeNull()
        if (Number.isNaN(d.score)) {
          // The library's NaN (one category, 0 degrees of freedom) becomes the documented p = 1.
          expect(r.score).toBe(1)
          expect(r.definedResult).toBe(true)
          expect(r.explanation).toMatch(/defined as p = 1/)
        } else if (r.scoreKind === 'p_value') expectP(r.score!, d.score, 'score')
        else expectStat(r.score!, d.score, 'score')
      })

      for (const u of c.undefined ?? []) {
        it(`gives a defined result for ${u.path}`, () => {
          const r = columnDrift(
            'x',
            {
              reference: columnSample(
                c.kind === 'numerical'
                  ? numericColumn('x', c.reference as number[])
                  : categoricalColumn('x', c.reference.map(String)),
              ),
              current: columnSample(
                c.kind === 'numerical'
                  ? numericColumn('x', c.current as number[])
                  : categoricalColumn('x', c.current.map(String)),
              ),
            },
            { method: u.path.includes('z_test') ? 'z' : 'chisquare' },
          )
          expect(r.verdict).not.toBe('undetermined')
          expect(Number.isFinite(r.score)).toBe(true)
          if (u.suggested_defined_result.startsWith('p_value 1.0')) {
            expect(r.score).toBe(1)
            expect(r.drifted).toBe(false)
          } else {
            // Infinite χ² without epsilon: the epsilon rule gives a finite statistic, and here drift.
            expect(Number.isFinite(r.statistic)).toBe(true)
            expect(r.drifted).toBe(true)
          }
          expect(r.explanation).toBeTruthy()
        })
      }
    })
  }
})

/**
 * The search contract every TrackingStore backend passes: its SQL (or whatever it runs) gives
 * exactly the in-memory evaluator's answers, in the same order, page by page — on hand-picked
 * cases and on random worlds and random filter trees (fast-check).
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Experiment, Run, ViewType } from '../../protocol/entities.js'
import type { FilterExpr, OrderKey } from '../../protocol/filter/ast.js'
import {
  experimentSubject,
  formatFilter,
  formatOrderKey,
  matches,
  orderComparator,
  parseSearchFilter,
  parseSearchOrderBy,
  runSubject,
  type SearchSubject,
  type SearchTarget,
} from '../../protocol/filter/index.js'
import type { Clock, IdGenerator } from '../util/clock.js'
import {
  experimentComparison,
  experimentOrder,
  filterTree,
  flattenTree,
  runComparison,
  runOrder,
  runSpec,
  STRINGS,
  TAG_KEYS,
  TIMES,
  type RunSpec,
} from '../test-support/search-arbitraries.js'
import type { OpenedStore } from './tracking-store.contract.js'
import type { TrackingStore } from './tracking-store.js'

export interface SearchStoreOptions {
  ids: IdGenerator
  clock: Clock
}

/** Run ids known before the runs exist, so generated filters can name them; not in creation order. */
export function nthRunId(n: number): string {
  return ((n * 2654435761) % 2 ** 32).toString(16).padStart(32, '0')
}

function sequentialIds(): IdGenerator {
  let n = 0
  return { runId: () => nthRunId(n++), runName: () => `run-${n}` }
}

function clockOf(times: number[]): Clock {
  let i = 0
  return { now: () => times[i++ % times.length]! }
}

const VIEW_TYPES: ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']

function visible(stage: string, view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted')
}

/** What a search must return, by the evaluator. */
function expected<T>(
  items: { item: T; subject: SearchSubject }[],
  query: {
    target: SearchTarget
    filter: FilterExpr | null
    orderBy: OrderKey[]
    offset: number
    max: number
  },
): T[] {
  const cmp = orderComparator(query.target, query.orderBy)
  return items
    .filter((x) => matches(query.filter, x.subject))
    .sort((a, b) => cmp(a.subject, b.subject))
    .slice(query.offset, query.offset + query.max)
    .map((x) => x.item)
}

function leaves(expr: FilterExpr): FilterExpr[] {
  return expr.type === 'compare' ? [expr] : expr.items.flatMap(leaves)
}

/** Text → tree → text: the store sees what the parser makes of the formatted filter. */
function viaText(
  target: SearchTarget,
  filter: FilterExpr | null,
  orderBy: OrderKey[],
): { filter: FilterExpr | null; orderBy: OrderKey[] } {
  const parsed = parseSearchFilter(target, filter ? formatFilter(filter) : '')
  expect(parsed).toEqual(filter ? flattenTree(filter) : null)
  const order = parseSearchOrderBy(target, orderBy.map(formatOrderKey))
  expect(order).toEqual(orderBy)
  return { filter: parsed, orderBy: order }
}

export async function seedRuns(
  store: TrackingStore,
  specs: RunSpec[],
  experimentIds: string[],
): Promise<Run[]> {
  const ids: string[] = []
  for (const s of specs) {
    const run = await store.createRun({
      experimentId: experimentIds[s.experiment]!,
      userId: s.userId,
      runName: s.runName,
      startTime: s.startTime,
      tags: [],
    })
    const id = run.info.runId
    ids.push(id)
    const pairs = (r: Record<string, string>): { key: string; value: string }[] =>
      Object.entries(r).map(([key, value]) => ({ key, value }))
    await store.logBatch(id, { metrics: s.metrics, params: pairs(s.params), tags: pairs(s.tags) })
    if (s.datasets.length > 0) {
      await store.logInputs(
        id,
        s.datasets.map((d) => ({
          tags: d.context === null ? [] : [{ key: 'mlflow.data.context', value: d.context }],
          dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: 'file:///data' },
        })),
      )
    }
    await store.updateRun(
      id,
      s.endTime === null ? { status: s.status } : { status: s.status, endTime: s.endTime },
    )
    if (s.deleted) await store.deleteRun(id)
  }
  return Promise.all(ids.map((id) => store.getRun(id)))
}

export function describeSearchContract(
  name: string,
  open: (opts: SearchStoreOptions) => Promise<OpenedStore>,
): void {
  describe(`search contract: ${name}`, () => {
    describe('examples', () => {
      let opened: OpenedStore
      let store: TrackingStore
      let exp: string
      beforeEach(async () => {
        opened = await open({ ids: sequentialIds(), clock: clockOf([5]) })
        store = opened.store
        exp = await store.createExperiment({ name: 'e', tags: [] })
      })
      afterEach(async () => {
        await opened.cleanup()
      })

      async function runIds(filter: string, orderBy: string[] = []): Promise<string[]> {
        const page = await store.searchRuns({
          experimentIds: [exp],
          filter: parseSearchFilter('runs', filter),
          orderBy: parseSearchOrderBy('runs', orderBy),
          viewType: 'ACTIVE_ONLY',
          maxResults: 100,
          offset: 0,
        })
        return page.items.map((r) => r.info.runName)
      }

      async function run(
        name: string,
        startTime: number,
        data: { params?: Record<string, string>; metrics?: Record<string, number> },
      ): Promise<void> {
        const r = await store.createRun({
          experimentId: exp,
          userId: 'u',
          runName: name,
          startTime,
          tags: [],
        })
        await store.logBatch(r.info.runId, {
          params: Object.entries(data.params ?? {}).map(([key, value]) => ({ key, value })),
          metrics: Object.entries(data.metrics ?? {}).map(([key, value]) => ({
            key,
            value,
            step: 0,
            timestamp: 0,
          })),
          tags: [],
        })
      }

      it('never matches a missing param or a NaN metric, not even with !=', async () => {
        await run('has', 1, { params: { p: 'x' }, metrics: { m: 1 } })
        await run('nan', 2, { params: {}, metrics: { m: Number.NaN } })
        expect(await runIds("params.p != 'y'")).toEqual(['has'])
        expect(await runIds('metrics.m != 5')).toEqual(['has'])
        expect(await runIds('metrics.unlogged != 5')).toEqual([])
      })

      it('supports OR and parentheses with AND binding tighter', async () => {
        await run('a', 3, { params: { p: 'a', q: '1' } })
        await run('b', 2, { params: { p: 'b', q: '2' } })
        await run('c', 1, { params: { p: 'c', q: '1' } })
        expect(await runIds("params.p = 'a' OR params.p = 'b' AND params.q = '1'")).toEqual(['a'])
        expect(await runIds("(params.p = 'a' OR params.p = 'b') AND params.q = '2'")).toEqual(['b'])
        expect(await runIds("params.p = 'c' or params.q = '2'")).toEqual(['b', 'c'])
      })

      it('keeps LIKE case-sensitive and folds only ASCII for ILIKE', async () => {
        await run('upper', 2, { params: { p: 'ÉCOLE Abc' } })
        await run('lower', 1, { params: { p: 'école abc' } })
        expect(await runIds("params.p LIKE '%Abc'")).toEqual(['upper'])
        expect(await runIds("params.p ILIKE '%ABC'")).toEqual(['upper', 'lower'])
        expect(await runIds("params.p ILIKE 'école%'")).toEqual(['lower'])
        expect(await runIds("params.p LIKE '_cole%'")).toEqual(['lower'])
      })

      it('orders present values first, then NaN, then missing, in both directions', async () => {
        await run('missing', 4, {})
        await run('nan', 3, { metrics: { m: Number.NaN } })
        await run('low', 2, { metrics: { m: 1 } })
        await run('high', 1, { metrics: { m: 2 } })
        expect(await runIds('', ['metrics.m DESC'])).toEqual(['high', 'low', 'nan', 'missing'])
        expect(await runIds('', ['metrics.m ASC'])).toEqual(['low', 'high', 'nan', 'missing'])
        expect(await runIds('', [])).toEqual(['missing', 'nan', 'low', 'high'])
      })

      it('orders NaN before missing on a later key too', async () => {
        await run('missing', 1, { params: { p: 'x' } })
        await run('nan', 1, { params: { p: 'x' }, metrics: { m: Number.NaN } })
        await run('value', 1, { params: { p: 'x' }, metrics: { m: -5 } })
        await run('first', 1, { params: { p: 'a' } })
        expect(await runIds('', ['params.p', 'metrics.m DESC'])).toEqual(['first', 'value', 'nan', 'missing'])
        expect(await runIds('', ['params.p DESC', 'metrics.m'])).toEqual(['value', 'nan', 'missing', 'first'])
      })

      it('pages through every ordering segment without gaps or repeats', async () => {
        for (let i = 0; i < 7; i++)
          await run(`r${i}`, i, i % 3 === 0 ? {} : { metrics: { m: i % 3 === 1 ? i : Number.NaN } })
        const all = await runIds('', ['metrics.m ASC'])
        const pages: string[] = []
        for (let offset = 0; offset < 7; offset += 2) {
          const page = await store.searchRuns({
            experimentIds: [exp],
            filter: null,
            orderBy: parseSearchOrderBy('runs', ['metrics.m ASC']),
            viewType: 'ACTIVE_ONLY',
            maxResults: 2,
            offset,
          })
          pages.push(...page.items.map((r) => r.info.runName))
        }
        expect(pages).toEqual(all)
        expect(all).toEqual(['r1', 'r4', 'r5', 'r2', 'r6', 'r3', 'r0'])
      })
    })

    it('agrees with the evaluator on random runs, filters and orders', async () => {
      const world = fc.array(runSpec(2), { maxLength: 20 })
      const query = (runIds: string[]) =>
        fc.record({
          filter: fc.option(filterTree(runComparison(runIds)), { nil: null }),
          orderBy: runOrder,
          viewType: fc.constantFrom(...VIEW_TYPES),
          experiments: fc.uniqueArray(fc.nat({ max: 2 }), { minLength: 1, maxLength: 3 }),
          offset: fc.nat({ max: 4 }),
          max: fc.integer({ min: 1, max: 20 }),
        })
      const scenario = world.chain((specs) =>
        fc.tuple(
          fc.constant(specs),
          fc.array(query(specs.map((_, i) => nthRunId(i))), { minLength: 1, maxLength: 6 }),
        ),
      )
      await fc.assert(
        fc.asyncProperty(scenario, async ([specs, queries]) => {
          const opened = await open({ ids: sequentialIds(), clock: clockOf([7]) })
          try {
            const store = opened.store
            const experimentIds = [
              await store.createExperiment({ name: 'x', tags: [] }),
              await store.createExperiment({ name: 'y', tags: [] }),
            ]
            const runs = await seedRuns(store, specs, experimentIds)
            const subjects = runs.map((item) => ({ item, subject: runSubject(item) }))
            for (const q of queries) {
              const { filter, orderBy } = viaText('runs', q.filter, q.orderBy)
              const ids = q.experiments.map((e) => (e === 2 ? '0' : experimentIds[e]!))
              const page = await store.searchRuns({
                experimentIds: ids,
                filter,
                orderBy,
                viewType: q.viewType,
                maxResults: q.max,
                offset: q.offset,
              })
              const inScope = subjects.filter(
                (x) =>
                  ids.includes(x.item.info.experimentId) && visible(x.item.info.lifecycleStage, q.viewType),
              )
              const want = expected(inScope, {
                target: 'runs',
                filter,
                orderBy,
                offset: q.offset,
                max: q.max,
              })
              expect(page.items.map((r) => r.info.runId)).toEqual(want.map((r) => r.info.runId))
              // Whole runs, as get-run answers them: the search loads what it found faithfully.
              expect(page.items).toEqual(want)
              const total = inScope.filter((x) => matches(filter, x.subject)).length
              expect(page.nextOffset).toBe(total > q.offset + q.max ? q.offset + q.max : null)
              // The same keys behind a two-valued one, so they decide between many ties.
              const tied: OrderKey[] = [
                { entity: 'attribute', key: 'user_id', ascending: true },
                ...orderBy.filter((k) => k.key !== 'user_id'),
              ]
              const ordered = await store.searchRuns({
                experimentIds: ids,
                filter: null,
                orderBy: tied,
                viewType: q.viewType,
                maxResults: 1000,
                offset: 0,
              })
              const wantOrdered = expected(inScope, {
                target: 'runs',
                filter: null,
                orderBy: tied,
                offset: 0,
                max: 1000,
              })
              expect(ordered.items.map((r) => r.info.runId)).toEqual(wantOrdered.map((r) => r.info.runId))
              // Each comparison alone as well: a wrong leaf is often hidden inside a tree.
              for (const leaf of filter ? leaves(filter) : []) {
                const alone = await store.searchRuns({
                  experimentIds: ids,
                  filter: leaf,
                  orderBy,
                  viewType: q.viewType,
                  maxResults: 1000,
                  offset: 0,
                })
                const wantAlone = expected(inScope, {
                  target: 'runs',
                  filter: leaf,
                  orderBy,
                  offset: 0,
                  max: 1000,
                })
                expect(
                  alone.items.map((r) => r.info.runId),
                  formatFilter(leaf),
                ).toEqual(wantAlone.map((r) => r.info.runId))
              }
            }
          } finally {
            await opened.cleanup()
          }
        }),
        { numRuns: 120 },
      )
    })

    it('agrees with the evaluator on random experiments, filters and orders', async () => {
      const world = fc.record({
        times: fc.array(fc.constantFrom(...TIMES), { minLength: 1, maxLength: 6 }),
        experiments: fc.uniqueArray(
          fc.record({
            name: fc.constantFrom('e-a', 'e-b', 'E-a', 'e_c', 'exp', 'Exp'),
            tags: fc.dictionary(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...STRINGS), { maxKeys: 2 }),
            retag: fc.boolean(),
            deleted: fc.nat({ max: 3 }).map((n) => n === 0),
          }),
          { maxLength: 6, selector: (e) => e.name },
        ),
      })
      const query = fc.record({
        filter: fc.option(filterTree(experimentComparison), { nil: null }),
        orderBy: experimentOrder,
        viewType: fc.constantFrom(...VIEW_TYPES),
        offset: fc.nat({ max: 3 }),
        max: fc.integer({ min: 1, max: 10 }),
      })
      await fc.assert(
        fc.asyncProperty(world, fc.array(query, { minLength: 1, maxLength: 6 }), async (w, queries) => {
          const opened = await open({ ids: sequentialIds(), clock: clockOf(w.times) })
          try {
            const store = opened.store
            const ids = ['0']
            for (const e of w.experiments) {
              const id = await store.createExperiment({
                name: e.name,
                tags: Object.entries(e.tags).map(([key, value]) => ({ key, value })),
              })
              if (e.retag) await store.setExperimentTag(id, { key: 't1', value: 'a' })
              if (e.deleted) await store.deleteExperiment(id)
              ids.push(id)
            }
            const all: Experiment[] = await Promise.all(ids.map((id) => store.getExperiment(id)))
            for (const q of queries) {
              const { filter, orderBy } = viaText('experiments', q.filter, q.orderBy)
              const page = await store.searchExperiments({
                filter,
                orderBy,
                viewType: q.viewType,
                maxResults: q.max,
                offset: q.offset,
              })
              const inScope = all
                .filter((e) => visible(e.lifecycleStage, q.viewType))
                .map((item) => ({ item, subject: experimentSubject(item) }))
              const want = expected(inScope, {
                target: 'experiments',
                filter,
                orderBy,
                offset: q.offset,
                max: q.max,
              })
              expect(page.items.map((e) => e.experimentId)).toEqual(want.map((e) => e.experimentId))
              for (const leaf of filter ? leaves(filter) : []) {
                const alone = await store.searchExperiments({
                  filter: leaf,
                  orderBy,
                  viewType: 'ALL',
                  maxResults: 1000,
                  offset: 0,
                })
                const scope = all.map((item) => ({ item, subject: experimentSubject(item) }))
                const wantAlone = expected(scope, {
                  target: 'experiments',
                  filter: leaf,
                  orderBy,
                  offset: 0,
                  max: 1000,
                })
                expect(
                  alone.items.map((e) => e.experimentId),
                  formatFilter(leaf),
                ).toEqual(wantAlone.map((e) => e.experimentId))
              }
            }
          } finally {
            await opened.cleanup()
          }
        }),
        { numRuns: 60 },
      )
    })
  })
}

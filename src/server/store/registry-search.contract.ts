/**
 * The registry search contract: a backend's registered-model and model-version searches give
 * exactly the in-memory evaluator's answers, in the same order, page by page — on examples and on
 * random worlds, filters and orders (fast-check).
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FilterExpr, OrderKey } from '../../protocol/filter/ast.js'
import {
  formatFilter,
  formatOrderKey,
  matches,
  modelVersionSubject,
  orderComparator,
  parseSearchFilter,
  parseSearchOrderBy,
  registeredModelSubject,
  type SearchSubject,
  type SearchTarget,
} from '../../protocol/filter/index.js'
import type { ModelVersion, RegisteredModel } from '../../protocol/registry-entities.js'
import type { Clock } from '../util/clock.js'
import { flattenTree } from '../test-support/search-arbitraries.js'
import {
  modelVersionFilter,
  modelVersionOrder,
  modelWorld,
  registeredModelFilter,
  registeredModelOrder,
  type ModelSpec,
} from '../test-support/registry-search-arbitraries.js'
import { steppingClock, versionInput, type OpenRegistryStore } from './registry-store.contract.js'
import type { AuditInput, RegistryStore } from './registry-store.js'

const who: AuditInput = { user: 'u' }

function clockOf(times: number[]): Clock {
  let i = 0
  return { now: () => times[i++ % times.length]! }
}

function expected<T>(
  items: { item: T; subject: SearchSubject }[],
  q: { target: SearchTarget; filter: FilterExpr | null; orderBy: OrderKey[]; offset: number; max: number },
): T[] {
  const cmp = orderComparator(q.target, q.orderBy)
  return items
    .filter((x) => matches(q.filter, x.subject))
    .sort((a, b) => cmp(a.subject, b.subject))
    .slice(q.offset, q.offset + q.max)
    .map((x) => x.item)
}

/** The store sees what the parser makes of the formatted filter and order. */
function viaText(target: SearchTarget, filter: FilterExpr | null, orderBy: OrderKey[]) {
  const parsed = parseSearchFilter(target, filter ? formatFilter(filter) : '')
  expect(parsed).toEqual(filter ? flattenTree(filter) : null)
  const order = parseSearchOrderBy(target, orderBy.map(formatOrderKey))
  expect(order).toEqual(orderBy)
  return { filter: parsed, orderBy: order }
}

async function seed(
  store: RegistryStore,
  world: ModelSpec[],
): Promise<{ models: RegisteredModel[]; versions: ModelVersion[] }> {
  for (const m of world) {
    await store.createRegisteredModel({
      name: m.name,
      description: '',
      tags: Object.entries(m.tags).map(([key, value]) => ({ key, value })),
    })
    for (const [i, v] of m.versions.entries()) {
      const n = i + 1
      await store.createModelVersion(
        versionInput(m.name, {
          source: v.source,
          runId: v.runId,
          tags: Object.entries(v.tags).map(([key, value]) => ({ key, value })),
        }),
        who,
      )
      if (v.stage !== 'None') {
        await store.transitionModelVersionStage(
          { name: m.name, version: n, stage: v.stage, archiveExisting: v.archive },
          who,
        )
      }
      if (v.retag) await store.setModelVersionTag(m.name, n, { key: 't1', value: 'a' })
    }
    for (const [i, v] of m.versions.entries())
      if (v.deleted) await store.deleteModelVersion(m.name, i + 1, who)
    if (m.describe) await store.updateRegisteredModel(m.name, 'd')
  }
  const models = await Promise.all(world.map((m) => store.getRegisteredModel(m.name)))
  const versions: ModelVersion[] = []
  for (const m of world) {
    for (const [i, v] of m.versions.entries())
      if (!v.deleted) versions.push(await store.getModelVersion(m.name, i + 1))
  }
  return { models, versions }
}

const versionId = (v: ModelVersion): string => `${v.name}/${v.version}`

export function describeRegistrySearch(name: string, open: OpenRegistryStore): void {
  describe(`registry search contract: ${name}`, () => {
    describe('examples', () => {
      let store: RegistryStore
      let opened: Awaited<ReturnType<OpenRegistryStore>>
      beforeEach(async () => {
        opened = await open({ clock: steppingClock() })
        store = opened.registry
      })
      afterEach(async () => {
        await opened.cleanup()
      })

      it('orders versions by last update (newest first) by default, then name, then version descending', async () => {
        await seed(store, [
          { name: 'b', tags: {}, describe: false, versions: [] },
          { name: 'a', tags: {}, describe: false, versions: [] },
        ])
        for (const n of ['a', 'b', 'a', 'b']) await store.createModelVersion(versionInput(n), who)
        await store.updateModelVersion('a', 1, 'touched')
        const page = await store.searchModelVersions({ filter: null, orderBy: [], maxResults: 10, offset: 0 })
        expect(page.items.map(versionId)).toEqual(['a/1', 'b/2', 'a/2', 'b/1'])
      })

      it('answers versions without their aliases, as MLflow does', async () => {
        await seed(store, [{ name: 'm', tags: {}, describe: false, versions: [] }])
        await store.createModelVersion(versionInput('m'), who)
        await store.setAlias({ name: 'm', alias: 'champion', version: 1 }, who)
        const page = await store.searchModelVersions({ filter: null, orderBy: [], maxResults: 10, offset: 0 })
        expect(page.items.map((v) => [v.version, v.aliases])).toEqual([['1', []]])
        expect((await store.getModelVersion('m', 1)).aliases).toEqual(['champion'])
      })

      it('pages registered models by name with a next offset only when more remain', async () => {
        for (const n of ['c', 'a', 'b'])
          await store.createRegisteredModel({ name: n, description: '', tags: [] })
        const first = await store.searchRegisteredModels({
          filter: null,
          orderBy: [],
          maxResults: 2,
          offset: 0,
        })
        expect(first.items.map((m) => m.name)).toEqual(['a', 'b'])
        expect(first.nextOffset).toBe(2)
        const second = await store.searchRegisteredModels({
          filter: null,
          orderBy: [],
          maxResults: 2,
          offset: 2,
        })
        expect(second.items.map((m) => m.name)).toEqual(['c'])
        expect(second.nextOffset).toBeNull()
      })

      it('finds models by name prefix and tag, with their latest versions, tags and aliases', async () => {
        await seed(store, [
          { name: 'model-12', tags: { t0: 'a' }, describe: false, versions: [] },
          { name: 'model-120', tags: { t0: 'b' }, describe: false, versions: [] },
          { name: 'model-2', tags: { t0: 'a' }, describe: false, versions: [] },
        ])
        await store.createModelVersion(versionInput('model-120'), who)
        await store.setAlias({ name: 'model-120', alias: 'champion', version: 1 }, who)
        const filter = parseSearchFilter('registered_models', "name LIKE 'model-12%'")
        const page = await store.searchRegisteredModels({ filter, orderBy: [], maxResults: 10, offset: 0 })
        expect(page.items.map((m) => m.name)).toEqual(['model-12', 'model-120'])
        expect(page.items[1]!.latestVersions.map((v) => v.version)).toEqual(['1'])
        expect(page.items[1]!.aliases).toEqual([{ alias: 'champion', version: '1' }])
        const tagged = parseSearchFilter('registered_models', "tags.t0 = 'a'")
        const byTag = await store.searchRegisteredModels({
          filter: tagged,
          orderBy: [],
          maxResults: 10,
          offset: 0,
        })
        expect(byTag.items.map((m) => m.name)).toEqual(['model-12', 'model-2'])
      })
    })

    it('agrees with the evaluator on random registered models, filters and orders', async () => {
      const query = fc.record({
        filter: fc.option(registeredModelFilter, { nil: null }),
        orderBy: registeredModelOrder,
        offset: fc.nat({ max: 3 }),
        max: fc.integer({ min: 1, max: 8 }),
      })
      const times = fc.array(fc.constantFrom(1, 2, 3), { minLength: 1, maxLength: 5 })
      await fc.assert(
        fc.asyncProperty(
          modelWorld,
          times,
          fc.array(query, { minLength: 1, maxLength: 5 }),
          async (world, t, queries) => {
            const opened = await open({ clock: clockOf(t) })
            try {
              const { models } = await seed(opened.registry, world)
              const subjects = models.map((item) => ({ item, subject: registeredModelSubject(item) }))
              for (const q of queries) {
                const { filter, orderBy } = viaText('registered_models', q.filter, q.orderBy)
                const page = await opened.registry.searchRegisteredModels({
                  filter,
                  orderBy,
                  maxResults: q.max,
                  offset: q.offset,
                })
                const want = expected(subjects, {
                  target: 'registered_models',
                  filter,
                  orderBy,
                  offset: q.offset,
                  max: q.max,
                })
                expect(page.items).toEqual(want)
                const total = subjects.filter((x) => matches(filter, x.subject)).length
                expect(page.nextOffset).toBe(total > q.offset + q.max ? q.offset + q.max : null)
              }
            } finally {
              await opened.cleanup()
            }
          },
        ),
        { numRuns: 60 },
      )
    })

    it('agrees with the evaluator on random model versions, filters and orders', async () => {
      const query = fc.record({
        filter: fc.option(modelVersionFilter, { nil: null }),
        orderBy: modelVersionOrder,
        offset: fc.nat({ max: 4 }),
        max: fc.integer({ min: 1, max: 12 }),
      })
      const times = fc.array(fc.constantFrom(1, 2, 3), { minLength: 1, maxLength: 5 })
      await fc.assert(
        fc.asyncProperty(
          modelWorld,
          times,
          fc.array(query, { minLength: 1, maxLength: 5 }),
          async (world, t, queries) => {
            const opened = await open({ clock: clockOf(t) })
            try {
              const { versions } = await seed(opened.registry, world)
              const subjects = versions.map((item) => ({ item, subject: modelVersionSubject(item) }))
              for (const q of queries) {
                const { filter, orderBy } = viaText('model_versions', q.filter, q.orderBy)
                const page = await opened.registry.searchModelVersions({
                  filter,
                  orderBy,
                  maxResults: q.max,
                  offset: q.offset,
                })
                const want = expected(subjects, {
                  target: 'model_versions',
                  filter,
                  orderBy,
                  offset: q.offset,
                  max: q.max,
                })
                expect(page.items.map(versionId)).toEqual(want.map(versionId))
                expect(page.items).toEqual(want)
                const total = subjects.filter((x) => matches(filter, x.subject)).length
                expect(page.nextOffset).toBe(total > q.offset + q.max ? q.offset + q.max : null)
              }
            } finally {
              await opened.cleanup()
            }
          },
        ),
        { numRuns: 60 },
      )
    })
  })
}

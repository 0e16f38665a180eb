import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FilterExpr } from '../../../protocol/filter/ast.js'
import { formatFilter, parseSearchFilter, parseSearchOrderBy } from '../../../protocol/filter/index.js'
import { describeSearchContract } from '../search.contract.js'
import { compileExperimentSearch, compileRunSearch } from './search-sql.js'
import { SqliteTrackingStore } from './sqlite-tracking-store.js'

describeSearchContract('sqlite', async ({ ids, clock }) => {
  const store = new SqliteTrackingStore({
    path: ':memory:',
    defaultArtifactRoot: 'mlflow-artifacts:',
    ids,
    clock,
  })
  return { store, cleanup: () => store.close() }
})

// Small test worlds always take a driver when the filter has one; this covers the ordered walk.
describeSearchContract('sqlite, ordered segments only', async ({ ids, clock }) => {
  const store = new SqliteTrackingStore({
    path: ':memory:',
    defaultArtifactRoot: 'mlflow-artifacts:',
    ids,
    clock,
    searchDrivers: false,
  })
  return { store, cleanup: () => store.close() }
})

describe('SQLite search SQL', () => {
  let store: SqliteTrackingStore
  beforeEach(() => {
    store = new SqliteTrackingStore({ path: ':memory:', defaultArtifactRoot: 'mlflow-artifacts:' })
  })
  afterEach(async () => {
    await store.close()
  })

  const HOSTILE = "x'); DROP TABLE runs; --"
  const keys = { metricKeyId: () => 1 }

  it('binds every key and value as a parameter, so hostile input stays data', async () => {
    const exp = await store.createExperiment({ name: HOSTILE, tags: [{ key: HOSTILE, value: HOSTILE }] })
    const run = await store.createRun({
      experimentId: exp,
      userId: 'u',
      runName: 'r',
      startTime: 1,
      tags: [],
    })
    await store.logBatch(run.info.runId, {
      params: [{ key: HOSTILE, value: HOSTILE }],
      tags: [{ key: 't', value: HOSTILE }],
      metrics: [{ key: HOSTILE, value: 1, step: 0, timestamp: 0 }],
    })
    const tree: FilterExpr = {
      type: 'and',
      items: [
        {
          type: 'compare',
          entity: 'param',
          key: HOSTILE,
          comparator: '=',
          value: { kind: 'string', value: HOSTILE },
        },
        {
          type: 'compare',
          entity: 'tag',
          key: 't',
          comparator: 'LIKE',
          value: { kind: 'string', value: HOSTILE },
        },
        {
          type: 'compare',
          entity: 'metric',
          key: HOSTILE,
          comparator: '>',
          value: { kind: 'number', value: 0 },
        },
        {
          type: 'compare',
          entity: 'attribute',
          key: 'run_id',
          comparator: 'NOT IN',
          value: { kind: 'list', values: [HOSTILE] },
        },
      ],
    }
    const filter = parseSearchFilter('runs', formatFilter(tree))
    const orderBy = parseSearchOrderBy('runs', ['params.`' + HOSTILE + '` DESC', 'tags.`' + HOSTILE + '`'])
    const plan = compileRunSearch({ experimentIds: [Number(exp)], filter, orderBy, viewType: 'ALL' }, keys)
    for (const s of [...plan.segments, ...plan.drivers.flatMap((d) => [d.query, ...d.branches])]) {
      expect(s.sql).not.toContain('DROP')
      expect(s.sql).not.toContain(HOSTILE)
    }
    expect(plan.segments[0]!.params).toContain(HOSTILE)

    const page = await store.searchRuns({
      experimentIds: [exp],
      filter,
      orderBy,
      viewType: 'ALL',
      maxResults: 10,
      offset: 0,
    })
    expect(page.items.map((r) => r.info.runId)).toEqual([run.info.runId])

    const expFilter = parseSearchFilter(
      'experiments',
      `name = '${HOSTILE.replaceAll("'", "''")}' AND tags.\`${HOSTILE}\` ILIKE '%drop%'`,
    )
    const expQuery = compileExperimentSearch({
      filter: expFilter,
      orderBy: [],
      viewType: 'ALL',
      limit: 10,
      offset: 0,
    })
    expect(expQuery.sql).not.toContain('DROP')
    const found = await store.searchExperiments({
      filter: expFilter,
      orderBy: [],
      viewType: 'ALL',
      maxResults: 10,
      offset: 0,
    })
    expect(found.items.map((e) => e.experimentId)).toEqual([exp])
    expect((await store.getRun(run.info.runId)).data.params).toEqual([{ key: HOSTILE, value: HOSTILE }])
  })

  async function seedBench(runs: number): Promise<string> {
    const exp = await store.createExperiment({ name: 'plans', tags: [] })
    for (let i = 0; i < runs; i++) {
      const run = await store.createRun({
        experimentId: exp,
        userId: 'u',
        runName: `r${i}`,
        startTime: i,
        tags: [],
      })
      await store.logBatch(run.info.runId, {
        params: [{ key: 'p1', value: 'abcd'[i % 4]! }],
        metrics: [1, 2].map((k) => ({
          key: `m${k}`,
          value: ((i * 7919 * k) % 100) / 100,
          step: 0,
          timestamp: 0,
        })),
        tags: [],
      })
    }
    return exp
  }

  function plan(sqlText: string, params: readonly unknown[]): string[] {
    return (
      store.database.prepare(`EXPLAIN QUERY PLAN ${sqlText} LIMIT 101`).all(...params) as { detail: string }[]
    ).map((r) => r.detail)
  }

  it('walks the order key index and probes each condition by (run, key) for top-N by a metric', async () => {
    const exp = await seedBench(50)
    const q = compileRunSearch(
      {
        experimentIds: [Number(exp)],
        filter: parseSearchFilter('runs', "metrics.m1 > 0.5 and params.p1 = 'a'"),
        orderBy: parseSearchOrderBy('runs', ['metrics.m2 DESC']),
        viewType: 'ACTIVE_ONLY',
      },
      { metricKeyId: (k) => (k === 'm1' ? 1 : k === 'm2' ? 2 : undefined) },
    )
    const first = plan(q.segments[0]!.sql, q.segments[0]!.params)
    expect(first[0]).toMatch(
      /^SEARCH o0 USING COVERING INDEX latest_metrics_by_key \(key_id=\? AND value>\?\)/,
    )
    expect(first.filter((d) => d.startsWith('SEARCH m'))).toEqual([
      expect.stringContaining('(run_pk=? AND key_id=?)'),
    ])
    expect(first.filter((d) => d.startsWith('SEARCH p'))).toEqual([
      expect.stringContaining('(run_pk=? AND key=?)'),
    ])
    expect(first).not.toContain('USE TEMP B-TREE FOR ORDER BY')
    // Each indexable condition can also start the search from its own index.
    expect(q.drivers.map((d) => plan(d.query.sql, d.query.params)[0])).toEqual([
      expect.stringContaining('USING COVERING INDEX latest_metrics_by_key'),
      expect.stringContaining('USING COVERING INDEX params_by_key'),
    ])
  })

  it('takes IN lists longer than SQLite allows bound variables', async () => {
    const exp = await store.createExperiment({ name: 'many', tags: [] })
    const runs = await Promise.all(
      [1, 2, 3].map((t) =>
        store.createRun({ experimentId: exp, userId: 'u', runName: `r${t}`, startTime: t, tags: [] }),
      ),
    )
    const ids = Array.from({ length: 40_000 }, (_, i) => i.toString(16).padStart(32, 'f'))
    ids[12_345] = runs[0]!.info.runId
    ids[39_999] = runs[2]!.info.runId
    const search = async (comparator: 'IN' | 'NOT IN') =>
      (
        await store.searchRuns({
          experimentIds: [exp],
          filter: {
            type: 'compare',
            entity: 'attribute',
            key: 'run_id',
            comparator,
            value: { kind: 'list', values: ids },
          },
          orderBy: [],
          viewType: 'ALL',
          maxResults: 10,
          offset: 0,
        })
      ).items.map((r) => r.info.runName)
    expect(await search('IN')).toEqual(['r3', 'r1'])
    expect(await search('NOT IN')).toEqual(['r2'])
  })
})

/**
 * The contract every TrackingStore backend passes. A backend's test file calls
 * `describeTrackingStore(name, open)`; skips, if any, are listed with a written reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError, type ErrorCode } from '../../protocol/errors.js'
import type { Metric } from '../../protocol/entities.js'
import type { TrackingStore } from './tracking-store.js'
import { describeDownsampleContract } from './downsample.contract.js'

export interface OpenedStore {
  store: TrackingStore
  cleanup(): Promise<void>
}

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err, `expected ${code}`).toBeInstanceOf(CairnError)
  expect((err as CairnError).code).toBe(code)
}

const m = (key: string, value: number, timestamp: number, step = 0): Metric => ({ key, value, timestamp, step })

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = []
  for await (const chunk of it) out.push(...chunk)
  return out
}

export function describeTrackingStore(name: string, open: () => Promise<OpenedStore>): void {
  describe(`TrackingStore contract: ${name}`, () => {
    let opened: OpenedStore
    let store: TrackingStore
    beforeEach(async () => {
      opened = await open()
      store = opened.store
    })
    afterEach(async () => {
      await opened.cleanup()
    })

    async function newRun(experimentId = '0', startTime = 1000): Promise<string> {
      const run = await store.createRun({ experimentId, userId: 'u', runName: 'r', startTime, tags: [] })
      return run.info.runId
    }

    describe('metric downsampling', () => describeDownsampleContract(() => store))

    describe('experiments', () => {
      it('has the Default experiment with id 0', async () => {
        const exp = await store.getExperiment('0')
        expect(exp.name).toBe('Default')
        expect(exp.lifecycleStage).toBe('active')
        expect((await store.getExperimentByName('Default'))?.experimentId).toBe('0')
      })

      it('creates experiments with new ids, tags and a derived artifact location', async () => {
        const a = await store.createExperiment({ name: 'a', tags: [{ key: 't', value: 'v' }] })
        const b = await store.createExperiment({ name: 'b', tags: [], artifactLocation: 's3://bucket/b' })
        expect(a).not.toBe(b)
        const ea = await store.getExperiment(a)
        expect(ea.tags).toEqual([{ key: 't', value: 'v' }])
        expect(ea.artifactLocation.endsWith(`/${a}`)).toBe(true)
        expect((await store.getExperiment(b)).artifactLocation).toBe('s3://bucket/b')
      })

      it('refuses a taken name, even a deleted experiment\'s', async () => {
        const id = await store.createExperiment({ name: 'x', tags: [] })
        await expectCode(store.createExperiment({ name: 'x', tags: [] }), 'RESOURCE_ALREADY_EXISTS')
        await store.deleteExperiment(id)
        await expectCode(store.createExperiment({ name: 'x', tags: [] }), 'RESOURCE_ALREADY_EXISTS')
        expect((await store.getExperimentByName('x'))?.lifecycleStage).toBe('deleted')
      })

      it('returns RESOURCE_DOES_NOT_EXIST for unknown and malformed ids', async () => {
        await expectCode(store.getExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST')
        await expectCode(store.getExperiment('abc'), 'RESOURCE_DOES_NOT_EXIST')
        expect(await store.getExperimentByName('nope')).toBeNull()
      })

      it('renames, refusing taken names and deleted experiments', async () => {
        const a = await store.createExperiment({ name: 'a', tags: [] })
        await store.createExperiment({ name: 'b', tags: [] })
        await store.renameExperiment(a, 'a2')
        expect((await store.getExperiment(a)).name).toBe('a2')
        await expectCode(store.renameExperiment(a, 'b'), 'RESOURCE_ALREADY_EXISTS')
        await store.deleteExperiment(a)
        await expectCode(store.renameExperiment(a, 'a3'), 'INVALID_STATE')
        expect((await store.getExperiment(a)).name).toBe('a2')
      })

      it('deletes and restores an experiment together with its runs', async () => {
        const e = await store.createExperiment({ name: 'e', tags: [] })
        const runId = await newRun(e)
        await store.deleteExperiment(e)
        expect((await store.getExperiment(e)).lifecycleStage).toBe('deleted')
        expect((await store.getRun(runId)).info.lifecycleStage).toBe('deleted')
        await expectCode(store.deleteExperiment(e), 'RESOURCE_DOES_NOT_EXIST')
        await store.restoreExperiment(e)
        expect((await store.getRun(runId)).info.lifecycleStage).toBe('active')
        await expectCode(store.restoreExperiment(e), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('sets, overwrites and deletes experiment tags', async () => {
        const e = await store.createExperiment({ name: 'e', tags: [] })
        await store.setExperimentTag(e, { key: 'k', value: '1' })
        await store.setExperimentTag(e, { key: 'k', value: '2' })
        expect((await store.getExperiment(e)).tags).toEqual([{ key: 'k', value: '2' }])
        await store.deleteExperimentTag(e, 'k')
        expect((await store.getExperiment(e)).tags).toEqual([])
        await expectCode(store.deleteExperimentTag(e, 'k'), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('searches with view types and pages by offset', async () => {
        for (const n of ['s1', 's2', 's3']) await store.createExperiment({ name: n, tags: [] })
        const del = await store.createExperiment({ name: 's4', tags: [] })
        await store.deleteExperiment(del)
        const base = { filter: null, orderBy: [], offset: 0 }
        const active = await store.searchExperiments({ ...base, viewType: 'ACTIVE_ONLY', maxResults: 100 })
        expect(active.items.map((e) => e.name).sort()).toEqual(['Default', 's1', 's2', 's3'])
        const deleted = await store.searchExperiments({ ...base, viewType: 'DELETED_ONLY', maxResults: 100 })
        expect(deleted.items.map((e) => e.name)).toEqual(['s4'])
        const first = await store.searchExperiments({ ...base, viewType: 'ALL', maxResults: 3 })
        expect(first.items).toHaveLength(3)
        expect(first.nextOffset).toBe(3)
        const second = await store.searchExperiments({ ...base, viewType: 'ALL', maxResults: 3, offset: 3 })
        expect(second.items).toHaveLength(2)
        expect(second.nextOffset).toBeNull()
        const names = [...first.items, ...second.items].map((e) => e.name)
        expect(new Set(names).size).toBe(5)
      })
    })

    describe('runs', () => {
      it('creates a run with its name tag last and an artifact URI under the experiment', async () => {
        const e = await store.createExperiment({ name: 'e', tags: [], artifactLocation: 'file:///tmp/x' })
        const run = await store.createRun({
          experimentId: e,
          userId: 'alice',
          runName: 'my-run',
          startTime: 42,
          tags: [{ key: 'team', value: 'ml' }],
        })
        expect(run.info).toMatchObject({
          experimentId: e,
          userId: 'alice',
          runName: 'my-run',
          status: 'RUNNING',
          startTime: 42,
          endTime: null,
          lifecycleStage: 'active',
        })
        expect(run.info.runId).toMatch(/^[0-9a-f]{32}$/)
        expect(run.info.artifactUri).toBe(`file:///tmp/x/${run.info.runId}/artifacts`)
        expect(run.data.tags).toEqual([
          { key: 'team', value: 'ml' },
          { key: 'mlflow.runName', value: 'my-run' },
        ])
      })

      it('refuses runs in unknown or deleted experiments', async () => {
        await expectCode(newRun('987654321'), 'RESOURCE_DOES_NOT_EXIST')
        const e = await store.createExperiment({ name: 'e', tags: [] })
        await store.deleteExperiment(e)
        await expectCode(newRun(e), 'INVALID_PARAMETER_VALUE')
      })

      it('returns RESOURCE_DOES_NOT_EXIST for an unknown run', async () => {
        await expectCode(store.getRun('00000000000000000000000000000001'), 'RESOURCE_DOES_NOT_EXIST')
        await expectCode(store.logBatch('nope', { metrics: [], params: [], tags: [] }), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('updates status, end time and name (the name tag follows)', async () => {
        const id = await newRun()
        const info = await store.updateRun(id, { status: 'FINISHED', endTime: 99, runName: 'renamed' })
        expect(info).toMatchObject({ status: 'FINISHED', endTime: 99, runName: 'renamed' })
        const run = await store.getRun(id)
        expect(run.info.runName).toBe('renamed')
        expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' })
      })

      it('treats delete of a deleted run and restore of an active run as no-ops', async () => {
        const id = await newRun()
        await store.restoreRun(id)
        await store.deleteRun(id)
        await store.deleteRun(id)
        expect((await store.getRun(id)).info.lifecycleStage).toBe('deleted')
        await expectCode(store.logBatch(id, { metrics: [m('a', 1, 1)], params: [], tags: [] }), 'INVALID_PARAMETER_VALUE')
        await expectCode(store.updateRun(id, { status: 'FAILED' }), 'INVALID_PARAMETER_VALUE')
        await store.restoreRun(id)
        expect((await store.getRun(id)).info.lifecycleStage).toBe('active')
      })

      it('keeps params write-once and leaves the whole batch unapplied on a conflict', async () => {
        const id = await newRun()
        await store.logBatch(id, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] })
        await store.logBatch(id, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] })
        await expectCode(
          store.logBatch(id, {
            metrics: [m('loss', 1, 1)],
            params: [{ key: 'lr', value: '0.2' }, { key: 'other', value: 'x' }],
            tags: [{ key: 't', value: 'v' }],
          }),
          'INVALID_PARAMETER_VALUE',
        )
        const run = await store.getRun(id)
        expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }])
        expect(run.data.metrics).toEqual([])
        expect(run.data.tags.map((t) => t.key)).toEqual(['mlflow.runName'])
      })

      it('upserts tags keeping their first position, and updates the name from mlflow.runName', async () => {
        const id = await newRun()
        await store.logBatch(id, { metrics: [], params: [], tags: [{ key: 'b', value: '1' }, { key: 'a', value: '1' }] })
        await store.logBatch(id, { metrics: [], params: [], tags: [{ key: 'b', value: '2' }, { key: 'mlflow.runName', value: 'n2' }] })
        const run = await store.getRun(id)
        expect(run.data.tags).toEqual([
          { key: 'mlflow.runName', value: 'n2' },
          { key: 'b', value: '2' },
          { key: 'a', value: '1' },
        ])
        expect(run.info.runName).toBe('n2')
        await store.deleteTag(id, 'a')
        await expectCode(store.deleteTag(id, 'a'), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('keeps every metric point, once, and reports the latest by step, then time, then value', async () => {
        const id = await newRun()
        await store.logBatch(id, {
          metrics: [m('loss', 1, 100, 0), m('loss', 0.5, 101, 1), m('loss', 0.2, 104, 4), m('loss', 0.1, 200, 4)],
          params: [],
          tags: [],
        })
        // An identical point (a retried batch) is stored once; an older step does not become latest.
        await store.logBatch(id, { metrics: [m('loss', 0.5, 101, 1), m('loss', 9, 300, 2)], params: [], tags: [] })
        const history = await store.getMetricHistory(id, 'loss', { offset: 0 })
        expect(history.items.map((p) => [p.timestamp, p.step, p.value])).toEqual([
          [100, 0, 1],
          [101, 1, 0.5],
          [104, 4, 0.2],
          [200, 4, 0.1],
          [300, 2, 9],
        ])
        expect((await store.getRun(id)).data.metrics).toEqual([m('loss', 0.1, 200, 4)])
      })

      it('stores NaN as NaN and infinities as ±DBL_MAX (as MLflow)', async () => {
        const id = await newRun()
        await store.logBatch(id, {
          metrics: [m('n', Number.NaN, 1), m('i', Number.POSITIVE_INFINITY, 2), m('j', Number.NEGATIVE_INFINITY, 3)],
          params: [],
          tags: [],
        })
        const metrics = (await store.getRun(id)).data.metrics
        expect(metrics.map((x) => x.key)).toEqual(['n', 'i', 'j'])
        expect(Number.isNaN(metrics[0]!.value)).toBe(true)
        expect(metrics[1]!.value).toBe(Number.MAX_VALUE)
        expect(metrics[2]!.value).toBe(-Number.MAX_VALUE)
        const h = await store.getMetricHistory(id, 'n', { offset: 0 })
        expect(Number.isNaN(h.items[0]!.value)).toBe(true)
      })

      it('pages and streams metric histories in (timestamp, step, value) order', async () => {
        const id = await newRun()
        const points = Array.from({ length: 2500 }, (_, i) => m('x', i % 7, 1000 + i, i))
        for (let i = 0; i < points.length; i += 1000) {
          await store.logBatch(id, { metrics: points.slice(i, i + 1000), params: [], tags: [] })
        }
        const page1 = await store.getMetricHistory(id, 'x', { maxResults: 1000, offset: 0 })
        expect(page1.items).toHaveLength(1000)
        expect(page1.nextOffset).toBe(1000)
        const page3 = await store.getMetricHistory(id, 'x', { maxResults: 1000, offset: 2000 })
        expect(page3.items).toHaveLength(500)
        expect(page3.nextOffset).toBeNull()
        const streamed = await collect(store.streamMetricHistory(id, 'x', 300))
        expect(streamed).toEqual(points)
        expect(await collect(store.streamMetricHistory(id, 'missing', 300))).toEqual([])
        expect((await store.getMetricHistory('unknown-run', 'x', { offset: 0 })).items).toEqual([])
      })

      it('streams histories as MLflow JSON text that parses back to the exact points', async () => {
        const id = await newRun()
        const values = [0.1 + 0.2, 1 / 3, -0, 5e-324, 1.7976931348623157e308, 123456789.123456789, Number.NaN, 42]
        const points = Array.from({ length: 120_000 }, (_, i) => m('j"q', values[i % values.length]!, 1000 + i, i))
        for (let i = 0; i < points.length; i += 1000) {
          await store.logBatch(id, { metrics: points.slice(i, i + 1000), params: [], tags: [] })
        }
        let text = ''
        for await (const chunk of store.streamMetricHistoryJson(id, 'j"q')) text += (text === '' ? '' : ',') + chunk
        const parsed = JSON.parse(`[${text}]`) as { key: string; value: number | string; timestamp: number; step: number }[]
        expect(parsed).toHaveLength(points.length)
        parsed.forEach((p, i) => {
          const want = points[i]!
          expect(p.key).toBe('j"q')
          expect(p.timestamp).toBe(want.timestamp)
          expect(p.step).toBe(want.step)
          if (Number.isNaN(want.value)) expect(p.value).toBe('NaN')
          else expect(Object.is(p.value, want.value) || (p.value === 0 && want.value === 0)).toBe(true)
        })
        const empty: string[] = []
        for await (const chunk of store.streamMetricHistoryJson(id, 'nope')) empty.push(chunk)
        expect(empty).toEqual([])
      })

      it('returns bulk histories ordered by run id and evenly sampled intervals with first and last step', async () => {
        const a = await newRun()
        const b = await newRun()
        const pts = Array.from({ length: 100 }, (_, i) => m('acc', i / 100, 1 + i, i))
        await store.logBatch(a, { metrics: pts, params: [], tags: [] })
        await store.logBatch(b, { metrics: pts.slice(0, 10), params: [], tags: [] })
        const bulk = await store.getMetricHistoryBulk([b, a], 'acc', 1000)
        expect(bulk).toHaveLength(110)
        const order = [a, b].sort()
        expect(bulk[0]!.runId).toBe(order[0])
        const sampled = await store.getMetricHistoryBulkInterval({ runIds: [a], metricKey: 'acc', maxResults: 10 })
        const steps = sampled.map((p) => p.step)
        expect(steps).toHaveLength(10)
        expect(steps[0]).toBe(0)
        expect(steps[9]).toBe(99)
        const ranged = await store.getMetricHistoryBulkInterval({
          runIds: [a],
          metricKey: 'acc',
          maxResults: 5,
          startStep: 10,
          endStep: 20,
        })
        expect(ranged.map((p) => p.step)).toEqual([10, 13, 15, 18, 20])
      })

      it('logs dataset inputs once per run, with their tags', async () => {
        const id = await newRun()
        const input = {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'ds', digest: 'abc', sourceType: 'local', source: '{}', schema: '{"a":1}' },
        }
        await store.logInputs(id, [input])
        await store.logInputs(id, [input])
        const inputs = (await store.getRun(id)).inputs.datasetInputs
        expect(inputs).toEqual([input])
      })

      it('lists runs newest first, with view types and pagination', async () => {
        const e = await store.createExperiment({ name: 'list', tags: [] })
        const ids = []
        for (let i = 0; i < 5; i++) ids.push(await newRun(e, 1000 + i))
        await store.deleteRun(ids[0]!)
        const base = { experimentIds: [e], filter: null, orderBy: [], offset: 0 }
        const active = await store.searchRuns({ ...base, viewType: 'ACTIVE_ONLY', maxResults: 10 })
        expect(active.items.map((r) => r.info.runId)).toEqual([ids[4], ids[3], ids[2], ids[1]])
        const deleted = await store.searchRuns({ ...base, viewType: 'DELETED_ONLY', maxResults: 10 })
        expect(deleted.items.map((r) => r.info.runId)).toEqual([ids[0]])
        const page = await store.searchRuns({ ...base, viewType: 'ALL', maxResults: 2, offset: 2 })
        expect(page.items.map((r) => r.info.runId)).toEqual([ids[2], ids[1]])
        expect(page.nextOffset).toBe(4)
        expect((await store.searchRuns({ ...base, experimentIds: ['987654321'], viewType: 'ALL', maxResults: 10 })).items).toEqual([])
      })

      it('never loses or duplicates points from concurrent writers to one run', async () => {
        const id = await newRun()
        const writers = Array.from({ length: 8 }, (_, w) =>
          (async () => {
            for (let b = 0; b < 10; b++) {
              const metrics = Array.from({ length: 100 }, (_, i) => m('c', w, 1, w * 10_000 + b * 100 + i))
              await store.logBatch(id, { metrics, params: [], tags: [] })
              if (b % 3 === 0) await store.logBatch(id, { metrics, params: [], tags: [] }) // a retry
            }
          })(),
        )
        await Promise.all(writers)
        const all = await collect(store.streamMetricHistory(id, 'c', 5000))
        expect(all).toHaveLength(8 * 10 * 100)
        expect(new Set(all.map((p) => p.step)).size).toBe(8000)
      })
    })
  })
}

/**
 * The contract every PipelineStore and ScheduleStore backend passes. A backend's test file calls
 * `describePipelineStore(name, open)`; skips, if any, are listed with a written reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  CreatePipelineRunInput,
  CreateScheduleInput,
  PipelineStore,
  ScheduleStore,
} from './pipeline-store.js'
import { expectCode } from './registry-store.contract.js'

export interface OpenedPipelineStore {
  pipelines: PipelineStore
  schedules: ScheduleStore
  cleanup(): Promise<void>
}

export type OpenPipelineStore = () => Promise<OpenedPipelineStore>

export function runInput(over: Partial<CreatePipelineRunInput> = {}): CreatePipelineRunInput {
  return {
    runId: 'r1',
    pipeline: 'demo',
    experimentId: '0',
    spec: { name: 'demo', steps: [] },
    params: { lr: 0.1 },
    workdir: '/tmp',
    backend: 'local',
    useCache: true,
    orchestrator: 'test',
    scheduleName: null,
    resumedFrom: null,
    startTime: 1000,
    ...over,
  }
}

export function scheduleInput(over: Partial<CreateScheduleInput> = {}): CreateScheduleInput {
  return {
    name: 'nightly',
    pipeline: 'demo',
    spec: { name: 'demo' },
    params: {},
    workdir: '/tmp',
    experimentName: null,
    cron: '0 6 * * 1-5',
    timezone: 'UTC',
    maxConcurrent: 1,
    catchup: false,
    backend: 'local',
    now: 1000,
    ...over,
  }
}

export function describePipelineStore(name: string, open: OpenPipelineStore): void {
  describe(`PipelineStore contract: ${name}`, () => {
    let s: OpenedPipelineStore
    beforeEach(async () => {
      s = await open()
    })
    afterEach(async () => {
      await s.cleanup()
    })

    it('creates a run and reads it back with its spec and params', async () => {
      await s.pipelines.createRun(runInput())
      const run = await s.pipelines.getRun('r1')
      expect(run).toMatchObject({ runId: 'r1', status: 'running', params: { lr: 0.1 }, heartbeatTime: 1000 })
      expect(run.spec).toEqual({ name: 'demo', steps: [] })
      await expectCode(s.pipelines.createRun(runInput()), 'RESOURCE_ALREADY_EXISTS')
      await expectCode(s.pipelines.getRun('nope'), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('lists runs newest first, filtered and paged', async () => {
      for (let i = 0; i < 5; i++) {
        await s.pipelines.createRun(
          runInput({ runId: `r${i}`, startTime: 1000 + i, pipeline: i % 2 ? 'a' : 'b' }),
        )
      }
      const first = await s.pipelines.searchRuns({ maxResults: 2, offset: 0 })
      expect(first.items.map((r) => r.runId)).toEqual(['r4', 'r3'])
      expect(first.nextOffset).toBe(2)
      const a = await s.pipelines.searchRuns({ pipeline: 'a', maxResults: 10, offset: 0 })
      expect(a.items.map((r) => r.runId)).toEqual(['r3', 'r1'])
      expect(a.nextOffset).toBeNull()
    })

    it('keeps a finished run finished: a late heartbeat or another status cannot reopen it', async () => {
      await s.pipelines.createRun(runInput())
      await s.pipelines.updateRun('r1', { status: 'failed', endTime: 2000, message: 'step x failed' })
      await expectCode(s.pipelines.updateRun('r1', { status: 'running' }), 'INVALID_STATE')
      const after = await s.pipelines.updateRun('r1', { heartbeatTime: 5000 })
      expect(after).toMatchObject({ status: 'failed', endTime: 2000, message: 'step x failed' })
    })

    it('records cancel requests only for running runs and finds stale ones by heartbeat', async () => {
      await s.pipelines.createRun(runInput({ runId: 'a' }))
      await s.pipelines.createRun(runInput({ runId: 'b' }))
      await s.pipelines.updateRun('b', { heartbeatTime: 9000 })
      expect((await s.pipelines.requestCancel('a')).cancelRequested).toBe(true)
      expect((await s.pipelines.staleRuns(5000)).map((r) => r.runId)).toEqual(['a'])
      await s.pipelines.updateRun('b', { status: 'succeeded', endTime: 9500 })
      expect((await s.pipelines.requestCancel('b')).cancelRequested).toBe(false)
    })

    it('counts running runs of a schedule', async () => {
      await s.pipelines.createRun(runInput({ runId: 'a', scheduleName: 'n' }))
      await s.pipelines.createRun(runInput({ runId: 'b', scheduleName: 'n' }))
      await s.pipelines.createRun(runInput({ runId: 'c' }))
      await s.pipelines.updateRun('b', { status: 'succeeded' })
      expect(await s.pipelines.countRunning('n')).toBe(1)
    })

    it('upserts steps field by field and lists them in display order', async () => {
      await s.pipelines.createRun(runInput())
      await s.pipelines.upsertStep('r1', 'train', { step: 'train', position: 1 })
      await s.pipelines.upsertStep('r1', 'fit[1]', { step: 'fit', itemIndex: 1, item: 'b', position: 0 })
      await s.pipelines.upsertStep('r1', 'fit[0]', { step: 'fit', itemIndex: 0, item: 'a', position: 0 })
      await s.pipelines.upsertStep('r1', 'train', { status: 'running', runId: 's1', startTime: 5 })
      const done = await s.pipelines.upsertStep('r1', 'train', {
        status: 'succeeded',
        exitCode: 0,
        endTime: 9,
        outputs: { artifacts: {}, values: { ok: true } },
      })
      expect(done).toMatchObject({ status: 'succeeded', runId: 's1', startTime: 5, endTime: 9, exitCode: 0 })
      expect(done.outputs?.values).toEqual({ ok: true })
      const steps = await s.pipelines.listSteps('r1')
      expect(steps.map((x) => x.stepKey)).toEqual(['fit[0]', 'fit[1]', 'train'])
      expect(await s.pipelines.getStep('r1', 'train')).toEqual(done)
      expect(await s.pipelines.getStep('r1', 'nope')).toBeNull()
      expect(steps[0]!.item).toBe('a')
      await expectCode(s.pipelines.upsertStep('nope', 'x', {}), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('finds the newest step that ran with a cache key, never a cache hit', async () => {
      await s.pipelines.createRun(runInput())
      const outputs = {
        artifacts: { m: { runId: 'old', path: 'outputs/m', digest: 'sha256:1' } },
        values: {},
      }
      await s.pipelines.upsertStep('r1', 'a', {
        status: 'succeeded',
        runId: 'old',
        cacheKey: 'k',
        endTime: 1,
        outputs,
      })
      await s.pipelines.upsertStep('r1', 'b', {
        status: 'succeeded',
        runId: 'new',
        cacheKey: 'k',
        endTime: 2,
        outputs,
      })
      await s.pipelines.upsertStep('r1', 'c', {
        status: 'succeeded',
        runId: 'hit',
        cacheKey: 'k',
        endTime: 3,
        cacheHit: true,
        outputs,
      })
      await s.pipelines.upsertStep('r1', 'd', { status: 'failed', runId: 'bad', cacheKey: 'k', endTime: 4 })
      expect(await s.pipelines.findCached('k')).toMatchObject({ runId: 'new', stepKey: 'b', outputs })
      expect(await s.pipelines.findCached('other')).toBeNull()
    })

    it('appends live log chunks and reads them from any offset', async () => {
      await s.pipelines.createRun(runInput())
      await s.pipelines.upsertStep('r1', 'a', {})
      await s.pipelines.appendLog('r1', 'a', 'héllo\n')
      await s.pipelines.appendLog('r1', 'a', 'world\n')
      const all = await s.pipelines.readLog('r1', 'a', 0, 1 << 20)
      expect(all.text).toBe('héllo\nworld\n')
      expect(all.nextOffset).toBe(Buffer.byteLength('héllo\nworld\n'))
      const rest = await s.pipelines.readLog('r1', 'a', Buffer.byteLength('héllo\n'), 1 << 20)
      expect(rest.text).toBe('world\n')
      expect(await s.pipelines.readLog('r1', 'a', all.nextOffset, 100)).toEqual({
        text: '',
        nextOffset: all.nextOffset,
      })
      expect((await s.pipelines.listSteps('r1'))[0]!.logBytes).toBe(all.nextOffset)
      await expectCode(s.pipelines.appendLog('r1', 'nope', 'x'), 'RESOURCE_DOES_NOT_EXIST')
    })
  })

  describe(`ScheduleStore contract: ${name}`, () => {
    let s: OpenedPipelineStore
    beforeEach(async () => {
      s = await open()
    })
    afterEach(async () => {
      await s.cleanup()
    })

    it('creates, lists, pauses, resumes and deletes schedules', async () => {
      const created = await s.schedules.createSchedule(scheduleInput())
      expect(created).toMatchObject({ name: 'nightly', paused: false, lastFireTime: 1000, maxConcurrent: 1 })
      await expectCode(s.schedules.createSchedule(scheduleInput()), 'RESOURCE_ALREADY_EXISTS')
      await s.schedules.createSchedule(scheduleInput({ name: 'another' }))
      expect((await s.schedules.listSchedules()).map((x) => x.name)).toEqual(['another', 'nightly'])
      expect((await s.schedules.setPaused('nightly', true, 2000)).paused).toBe(true)
      const resumed = await s.schedules.setPaused('nightly', false, 9000)
      expect(resumed).toMatchObject({ paused: false, lastFireTime: 9000 })
      await s.schedules.deleteSchedule('nightly')
      await expectCode(s.schedules.getSchedule('nightly'), 'RESOURCE_DOES_NOT_EXIST')
      await expectCode(s.schedules.deleteSchedule('nightly'), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('gives a lease to one owner until it expires', async () => {
      await s.schedules.createSchedule(scheduleInput())
      expect(await s.schedules.acquireLease('nightly', 'a', 1000, 2000)).toBe(true)
      expect(await s.schedules.acquireLease('nightly', 'b', 1500, 2500)).toBe(false)
      expect(await s.schedules.acquireLease('nightly', 'a', 1500, 2500)).toBe(true)
      expect(await s.schedules.acquireLease('nightly', 'b', 2500, 3500)).toBe(true)
      expect((await s.schedules.getSchedule('nightly')).leaseOwner).toBe('b')
      await s.schedules.releaseLeases('b')
      expect(await s.schedules.acquireLease('nightly', 'a', 2600, 3600)).toBe(true)
    })

    it('lets exactly one claimant fire a given time, and only the lease holder', async () => {
      await s.schedules.createSchedule(scheduleInput())
      await s.schedules.acquireLease('nightly', 'a', 1000, 10_000)
      const claim = { name: 'nightly', expected: 1000, fireTime: 5000, now: 5001, fired: true, skipped: 0 }
      expect(await s.schedules.claimFire({ ...claim, owner: 'b' })).toBe(false)
      const results = await Promise.all([
        s.schedules.claimFire({ ...claim, owner: 'a' }),
        s.schedules.claimFire({ ...claim, owner: 'a' }),
      ])
      expect(results.filter(Boolean)).toHaveLength(1)
      const after = await s.schedules.getSchedule('nightly')
      expect(after).toMatchObject({ lastFireTime: 5000, firedCount: 1, skippedCount: 0 })
      expect(
        await s.schedules.claimFire({
          ...claim,
          owner: 'a',
          expected: 5000,
          fireTime: 6000,
          fired: false,
          skipped: 2,
        }),
      ).toBe(true)
      expect(await s.schedules.getSchedule('nightly')).toMatchObject({ firedCount: 1, skippedCount: 3 })
    })

    it('refuses fires for a paused schedule and for an expired lease', async () => {
      await s.schedules.createSchedule(scheduleInput())
      await s.schedules.acquireLease('nightly', 'a', 1000, 3000)
      const claim = { name: 'nightly', owner: 'a', expected: 1000, fireTime: 2000, fired: true, skipped: 0 }
      expect(await s.schedules.claimFire({ ...claim, now: 3001 })).toBe(false)
      await s.schedules.acquireLease('nightly', 'a', 3001, 9000)
      await s.schedules.setPaused('nightly', true, 3002)
      expect(await s.schedules.claimFire({ ...claim, now: 3003 })).toBe(false)
    })
  })
}

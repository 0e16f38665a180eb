import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ScheduleRecord } from '../../protocol/pipeline-entities.js'
import { silentLogger } from '../logging.js'
import { scheduleInput } from '../store/pipeline-store.contract.js'
import { openSqliteStores, type SqliteStores } from '../store/sqlite/open-sqlite-stores.js'
import { dueFireTimes, nextFireAfter, validateCron } from './cron.js'
import { Scheduler } from './scheduler.js'

const T = (iso: string): number => Date.parse(iso)

describe('cron', () => {
  it('fires a weekday 06:00 schedule in its time zone', () => {
    // 2024-03-01 is a Friday; Paris is UTC+1 in March before the 31st.
    expect(
      new Date(nextFireAfter('0 6 * * 1-5', 'Europe/Paris', T('2024-03-01T10:00:00Z'))!).toISOString(),
    ).toBe('2024-03-04T05:00:00.000Z')
    expect(new Date(nextFireAfter('0 6 * * 1-5', 'UTC', T('2024-03-01T05:59:59Z'))!).toISOString()).toBe(
      '2024-03-01T06:00:00.000Z',
    )
  })

  it('lists due times oldest first, strictly after the last fire, with the newest and a count', () => {
    const due = dueFireTimes('0 * * * *', 'UTC', {
      after: T('2024-01-01T00:00:00Z'),
      now: T('2024-01-01T05:30:00Z'),
      limit: 3,
    })
    expect(due.times.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['01:00', '02:00', '03:00'])
    expect(new Date(due.latest!).toISOString().slice(11, 16)).toBe('05:00')
    expect(due.count).toBe(5)
  })

  it.each([
    ['61 * * * *', 'UTC', "Invalid cron expression '61 * * * *'"],
    ['* * *', 'UTC', 'has 3 fields'],
    ['0 6 * * *', 'Mars/Olympus', "Unknown time zone 'Mars/Olympus'"],
  ])('refuses %j in %s with a clear message', (expr, tz, message) => {
    expect(() => validateCron(expr, tz)).toThrow(message)
  })
})

describe('embedded scheduler', () => {
  let dir: string
  let stores: SqliteStores
  let now: number
  const clock = { now: () => now }
  const launched: { schedule: string; fireTime: number; runId: string }[] = []
  let seq = 0

  /** A launch that records a running pipeline run for the schedule, as the real one does. */
  const launch = (s: SqliteStores) => async (schedule: ScheduleRecord, fireTime: number) => {
    const runId = `run-${++seq}`
    await s.pipelines.createRun({
      runId,
      pipeline: schedule.pipeline,
      experimentId: '0',
      spec: schedule.spec,
      params: schedule.params,
      workdir: schedule.workdir,
      backend: 'local',
      useCache: true,
      orchestrator: 'test',
      scheduleName: schedule.name,
      resumedFrom: null,
      startTime: clock.now(),
    })
    launched.push({ schedule: schedule.name, fireTime, runId })
    return runId
  }
  const scheduler = (owner: string, s: SqliteStores = stores): Scheduler =>
    new Scheduler({
      schedules: s.schedules,
      pipelines: s.pipelines,
      clock,
      logger: silentLogger(),
      owner,
      launch: launch(s),
    })
  const finishAll = async (): Promise<void> => {
    for (const l of launched)
      await stores.pipelines.updateRun(l.runId, { status: 'succeeded', endTime: clock.now() })
  }
  const times = (): string[] => launched.map((l) => new Date(l.fireTime).toISOString())

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-sched-'))
    stores = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
    launched.length = 0
    now = T('2024-03-01T00:00:00Z')
  })
  afterEach(async () => {
    await stores.tracking.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('fires each due time once, at the cron times, and nothing before', async () => {
    await stores.schedules.createSchedule(scheduleInput({ cron: '0 6 * * *', now }))
    const s = scheduler('a')
    now = T('2024-03-01T05:59:59Z')
    expect((await s.tick()).fired).toEqual([])
    now = T('2024-03-01T06:00:00Z')
    expect((await s.tick()).fired.map((f) => f.runId)).toEqual(['run-1'])
    expect((await s.tick()).fired).toEqual([])
    await finishAll()
    now = T('2024-03-02T06:00:30Z')
    await s.tick()
    expect(times()).toEqual(['2024-03-01T06:00:00.000Z', '2024-03-02T06:00:00.000Z'])
    expect(await stores.schedules.getSchedule('nightly')).toMatchObject({ firedCount: 2, skippedCount: 0 })
  })

  it('never fires the same time twice when two replicas tick against one database', async () => {
    const other = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
    try {
      await stores.schedules.createSchedule(scheduleInput({ cron: '* * * * *', maxConcurrent: 1000, now }))
      const a = scheduler('replica-a')
      const b = scheduler('replica-b', other)
      for (let minute = 1; minute <= 30; minute++) {
        now = T('2024-03-01T00:00:00Z') + minute * 60_000 + 5_000
        // Leases last 30 s, so the holder can change every minute; each fire time stays single.
        await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()])
      }
      const fired = launched.map((l) => l.fireTime)
      expect(new Set(fired).size).toBe(fired.length)
      expect(fired).toHaveLength(30)
      expect(launched.every((l) => l.schedule === 'nightly')).toBe(true)
    } finally {
      await other.tracking.close()
    }
  })

  it('after a restart without catch-up, runs only the newest missed time and counts the rest as skipped', async () => {
    await stores.schedules.createSchedule(scheduleInput({ cron: '0 6 * * *', now }))
    await scheduler('before-restart').stop()
    now = T('2024-03-05T12:00:00Z')
    const report = await scheduler('after-restart').tick()
    expect(times()).toEqual(['2024-03-05T06:00:00.000Z'])
    expect(report.skipped).toEqual([{ schedule: 'nightly', count: 4 }])
    expect(await stores.schedules.getSchedule('nightly')).toMatchObject({ firedCount: 1, skippedCount: 4 })
  })

  it('after a restart with catch-up, runs every missed time oldest first, as max-concurrent allows', async () => {
    await stores.schedules.createSchedule(
      scheduleInput({ cron: '0 6 * * *', catchup: true, maxConcurrent: 1, now }),
    )
    now = T('2024-03-04T12:00:00Z')
    const s = scheduler('a')
    await s.tick()
    expect(times()).toEqual(['2024-03-01T06:00:00.000Z'])
    await s.tick()
    expect(launched).toHaveLength(1)
    for (let i = 0; i < 3; i++) {
      await finishAll()
      await s.tick()
    }
    expect(times()).toEqual([
      '2024-03-01T06:00:00.000Z',
      '2024-03-02T06:00:00.000Z',
      '2024-03-03T06:00:00.000Z',
      '2024-03-04T06:00:00.000Z',
    ])
    expect((await stores.schedules.getSchedule('nightly')).skippedCount).toBe(0)
  })

  it('without catch-up, skips a due time while max-concurrent runs are still going', async () => {
    await stores.schedules.createSchedule(scheduleInput({ cron: '0 * * * *', maxConcurrent: 1, now }))
    const s = scheduler('a')
    now = T('2024-03-01T01:00:01Z')
    await s.tick()
    now = T('2024-03-01T02:00:01Z')
    const report = await s.tick()
    expect(report).toEqual({ fired: [], skipped: [{ schedule: 'nightly', count: 1 }] })
    await finishAll()
    now = T('2024-03-01T03:00:01Z')
    await s.tick()
    expect(times()).toEqual(['2024-03-01T01:00:00.000Z', '2024-03-01T03:00:00.000Z'])
  })

  it('does not fire while paused, and does not catch up the paused time on resume', async () => {
    await stores.schedules.createSchedule(
      scheduleInput({ cron: '0 * * * *', catchup: true, maxConcurrent: 10, now }),
    )
    const s = scheduler('a')
    await stores.schedules.setPaused('nightly', true, now)
    now = T('2024-03-01T05:30:00Z')
    await s.tick()
    expect(launched).toEqual([])
    await stores.schedules.setPaused('nightly', false, now)
    now = T('2024-03-01T06:00:00Z')
    await s.tick()
    expect(times()).toEqual(['2024-03-01T06:00:00.000Z'])
  })

  it('releases its leases on stop so another replica takes over at once', async () => {
    await stores.schedules.createSchedule(scheduleInput({ cron: '0 * * * *', now }))
    const a = scheduler('a')
    now = T('2024-03-01T01:00:01Z')
    await a.tick()
    expect((await stores.schedules.getSchedule('nightly')).leaseOwner).toBe('a')
    await a.stop()
    await finishAll()
    now = T('2024-03-01T02:00:01Z')
    await scheduler('b').tick()
    expect((await stores.schedules.getSchedule('nightly')).leaseOwner).toBe('b')
    expect(launched).toHaveLength(2)
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../../../protocol/errors.js'
import { openSqliteStores, type SqliteStores } from '../open-sqlite-stores.js'

const spec = { name: 'churn', model: 'models:/churn@champion', schedule: { cron: '0 * * * *' } }

describe('SqliteMonitorStore', () => {
  let dir: string
  let a: SqliteStores
  let b: SqliteStores
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-monitors-'))
    a = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
    b = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
  })
  afterEach(async () => {
    for (const s of [a, b]) {
      await s.registry.close()
      await s.tracking.close()
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates, lists, gets and deletes monitors; a taken name is RESOURCE_ALREADY_EXISTS', async () => {
    const created = await a.monitors.createMonitor({ name: 'churn', spec, now: 1000 })
    expect(created).toMatchObject({
      name: 'churn',
      spec,
      paused: false,
      lastFireTime: 1000,
      lastRun: null,
      lastAlertTime: null,
    })
    await expect(a.monitors.createMonitor({ name: 'churn', spec, now: 2000 })).rejects.toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
    })
    await a.monitors.createMonitor({ name: 'alpha', spec: { ...spec, name: 'alpha' }, now: 1000 })
    expect((await b.monitors.listMonitors()).map((m) => m.name)).toEqual(['alpha', 'churn'])
    await a.monitors.deleteMonitor('churn')
    const missing = await a.monitors.getMonitor('churn').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(CairnError)
    expect((missing as CairnError).code).toBe('RESOURCE_DOES_NOT_EXIST')
    await expect(a.monitors.deleteMonitor('churn')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
  })

  it('lets one of two connections hold the lease and claim a fire time once', async () => {
    await a.monitors.createMonitor({ name: 'churn', spec, now: 0 })
    expect(await a.monitors.acquireLease('churn', 'ra', 1000, 31_000)).toBe(true)
    expect(await b.monitors.acquireLease('churn', 'rb', 1000, 31_000)).toBe(false)
    expect(
      await b.monitors.claimFire({ name: 'churn', owner: 'rb', expected: 0, fireTime: 900, now: 1000 }),
    ).toBe(false)
    expect(
      await a.monitors.claimFire({ name: 'churn', owner: 'ra', expected: 0, fireTime: 900, now: 1000 }),
    ).toBe(true)
    expect(
      await a.monitors.claimFire({ name: 'churn', owner: 'ra', expected: 0, fireTime: 900, now: 1000 }),
    ).toBe(false)
    expect((await b.monitors.getMonitor('churn')).lastFireTime).toBe(900)
    // An expired lease passes to the other replica; a released one at once.
    expect(await b.monitors.acquireLease('churn', 'rb', 31_000, 61_000)).toBe(true)
    await b.monitors.releaseLeases('rb')
    expect(await a.monitors.acquireLease('churn', 'ra', 32_000, 62_000)).toBe(true)
  })

  it('grants one alert per cool-down, whichever connection asks', async () => {
    await a.monitors.createMonitor({ name: 'churn', spec, now: 0 })
    expect(await a.monitors.claimAlert('churn', 10_000, 5000)).toBe(true)
    expect(await b.monitors.claimAlert('churn', 12_000, 5000)).toBe(false)
    expect(await a.monitors.claimAlert('churn', 14_999, 5000)).toBe(false)
    expect(await b.monitors.claimAlert('churn', 15_000, 5000)).toBe(true)
    expect((await a.monitors.getMonitor('churn')).lastAlertTime).toBe(15_000)
    // A cool-down of 0 never suppresses.
    expect(await a.monitors.claimAlert('churn', 15_000, 0)).toBe(true)
  })

  it('keeps the newest run summary and resumes firing from the time it was resumed', async () => {
    await a.monitors.createMonitor({ name: 'churn', spec, now: 0 })
    await a.monitors.recordRun('churn', {
      runId: 'r2',
      status: 'failed',
      time: 2000,
      summary: { 'drift.share': 0.6 },
    })
    await a.monitors.recordRun('churn', { runId: 'r1', status: 'passed', time: 1000, summary: {} })
    expect((await b.monitors.getMonitor('churn')).lastRun).toEqual({
      runId: 'r2',
      status: 'failed',
      time: 2000,
      summary: { 'drift.share': 0.6 },
    })
    await a.monitors.setPaused('churn', true, 3000)
    expect(await a.monitors.acquireLease('churn', 'ra', 3000, 9000)).toBe(true)
    expect(
      await a.monitors.claimFire({ name: 'churn', owner: 'ra', expected: 0, fireTime: 2500, now: 3000 }),
    ).toBe(false)
    const resumed = await a.monitors.setPaused('churn', false, 50_000)
    expect(resumed).toMatchObject({ paused: false, lastFireTime: 50_000 })
  })
})

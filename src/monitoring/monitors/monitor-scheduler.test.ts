import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../server/logging.js'
import { openSqliteStores, type SqliteStores } from '../../server/store/sqlite/open-sqlite-stores.js'
import { MonitorScheduler } from './monitor-scheduler.js'

const T0 = Date.parse('2024-06-01T00:00:00Z')
const MIN = 60_000

describe('monitor scheduler', () => {
  let dir: string
  let a: SqliteStores
  let b: SqliteStores
  let now: number
  let fired: { replica: string; monitor: string; fireTime: number }[]
  let release: (() => void) | null
  const clock = { now: () => now }

  function scheduler(stores: SqliteStores, replica: string, hold = false): MonitorScheduler {
    return new MonitorScheduler({
      store: stores.monitors,
      clock,
      logger: silentLogger(),
      owner: replica,
      run: async (m, fireTime) => {
        fired.push({ replica, monitor: m.name, fireTime })
        if (hold) await new Promise<void>((r) => (release = r))
      },
    })
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-monsched-'))
    a = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
    b = openSqliteStores({ path: join(dir, 'cairn.db'), defaultArtifactRoot: 'mlflow-artifacts:' })
    now = T0
    fired = []
    release = null
    await a.monitors.createMonitor({
      name: 'hourly',
      spec: { name: 'hourly', model: 'models:/m@c', schedule: { cron: '0 * * * *', timezone: 'UTC' } },
      now: T0,
    })
    await a.monitors.createMonitor({
      name: 'manual',
      spec: { name: 'manual', model: 'models:/m@c' },
      now: T0,
    })
  })
  afterEach(async () => {
    for (const s of [a, b]) {
      await s.registry.close()
      await s.tracking.close()
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a monitor once per cron time across two replicas, and never one without a schedule', async () => {
    const ra = scheduler(a, 'ra')
    const rb = scheduler(b, 'rb')
    now = T0 + 30 * MIN
    expect(await ra.tick()).toEqual([])
    now = T0 + 60 * MIN + 5
    const [x, y] = [await ra.tick(), await rb.tick()]
    expect([...x, ...y]).toEqual([{ monitor: 'hourly', fireTime: T0 + 60 * MIN }])
    await Promise.all([...ra.running.values(), ...rb.running.values()])
    expect(fired).toEqual([{ replica: 'ra', monitor: 'hourly', fireTime: T0 + 60 * MIN }])
    // Ticking again at the same time fires nothing; the next hour fires once more.
    expect([...(await ra.tick()), ...(await rb.tick())]).toEqual([])
    now = T0 + 120 * MIN
    expect((await ra.tick()).map((f) => f.fireTime)).toEqual([T0 + 120 * MIN])
  })

  it('after downtime runs only the newest missed time', async () => {
    const ra = scheduler(a, 'ra')
    now = T0 + 5 * 60 * MIN + 10
    expect(await ra.tick()).toEqual([{ monitor: 'hourly', fireTime: T0 + 5 * 60 * MIN }])
    expect((await a.monitors.getMonitor('hourly')).lastFireTime).toBe(T0 + 5 * 60 * MIN)
  })

  it('passes over a time while the previous run is still going, and skips paused monitors', async () => {
    const ra = scheduler(a, 'ra', true)
    now = T0 + 60 * MIN
    expect(await ra.tick()).toHaveLength(1)
    now = T0 + 120 * MIN
    expect(await ra.tick()).toEqual([])
    expect(fired).toHaveLength(1)
    release!()
    await Promise.all([...ra.running.values()])
    await a.monitors.setPaused('hourly', true, now)
    now = T0 + 180 * MIN
    expect(await ra.tick()).toEqual([])
  })
})

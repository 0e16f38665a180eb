/**
 * Runs monitors on their cron inside `cairn server`, with the schedules' lease discipline
 * (src/server/schedule/scheduler.ts): each tick, a monitor with a fire time due takes its lease in
 * the store, then claims the newest due time with a compare-and-set on its last fire time, and only
 * then runs. Two replicas never run a monitor twice for one time. Missed times are not caught up
 * (a monitor looks at the latest window anyway), and a monitor still running from its previous
 * time is not started again. The clock is injected and `tick()` is public, so tests need no sleep.
 */
import type { Logger } from '../../server/logging.js'
import { dueFireTimes } from '../../server/schedule/cron.js'
import type { MonitorRecord, MonitorStore } from '../../server/store/monitor-store.js'
import type { Clock } from '../../server/util/clock.js'

export interface MonitorSchedulerOptions {
  store: MonitorStore
  clock: Clock
  logger: Logger
  /** Runs the monitor for `fireTime`; resolves when it is recorded. */
  run: (monitor: MonitorRecord, fireTime: number) => Promise<unknown>
  owner: string
  leaseMs?: number
  tickMs?: number
}

interface Schedule {
  cron: string
  timezone: string
}

function scheduleOf(spec: unknown): Schedule | null {
  if (typeof spec !== 'object' || spec === null) return null
  const s = (spec as Record<string, unknown>)['schedule']
  if (typeof s !== 'object' || s === null) return null
  const { cron, timezone } = s as Record<string, unknown>
  return typeof cron === 'string' ? { cron, timezone: typeof timezone === 'string' ? timezone : 'UTC' } : null
}

export class MonitorScheduler {
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<unknown> | null = null
  private stopped = false
  /** Runs started by this process, by monitor name. */
  readonly running = new Map<string, Promise<unknown>>()

  constructor(private readonly o: MonitorSchedulerOptions) {}

  start(): void {
    if (this.timer) return
    this.stopped = false
    this.timer = setInterval(() => {
      if (this.ticking) return
      this.tick().catch((err: unknown) => this.o.logger.error({ err }, 'monitor scheduler tick failed'))
    }, this.o.tickMs ?? 1000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.ticking?.catch(() => undefined)
    await Promise.allSettled([...this.running.values()])
    await this.o.store.releaseLeases(this.o.owner)
  }

  /** One pass at the clock's time; resolves with the monitors started (their runs go on). */
  tick(): Promise<{ monitor: string; fireTime: number }[]> {
    const pass = (async () => {
      const started: { monitor: string; fireTime: number }[] = []
      try {
        for (const m of await this.o.store.listMonitors()) {
          if (this.stopped) break
          if (m.paused) continue
          try {
            const fireTime = await this.claim(m)
            if (fireTime !== null) {
              started.push({ monitor: m.name, fireTime })
              void this.launch(m, fireTime)
            }
          } catch (err) {
            this.o.logger.error({ err, monitor: m.name }, 'monitor schedule tick failed')
          }
        }
        return started
      } finally {
        this.ticking = null
      }
    })()
    this.ticking = pass
    return pass
  }

  private async claim(m: MonitorRecord): Promise<number | null> {
    const schedule = scheduleOf(m.spec)
    if (!schedule) return null
    const { store, clock, owner } = this.o
    const now = clock.now()
    const due = dueFireTimes(schedule.cron, schedule.timezone, { after: m.lastFireTime, now, limit: 1 })
    if (due.latest === null) return null
    if (!(await store.acquireLease(m.name, owner, now, now + (this.o.leaseMs ?? 30_000)))) return null
    // Still running from an earlier time: this time is passed over (claimed, not run).
    const busy = this.running.has(m.name)
    const won = await store.claimFire({
      name: m.name,
      owner,
      expected: m.lastFireTime,
      fireTime: due.latest,
      now,
    })
    if (!won) return null
    if (busy) {
      this.o.logger.warn(
        { monitor: m.name },
        'monitor skipped a scheduled run: the previous run is still going',
      )
      return null
    }
    if (due.count > 1)
      this.o.logger.info(
        { monitor: m.name, missed: due.count - 1 },
        'monitor missed scheduled times (not caught up)',
      )
    return due.latest
  }

  /** Runs a monitor now in this process, unless it is already running here. */
  launch(m: MonitorRecord, fireTime: number): Promise<unknown> {
    const existing = this.running.get(m.name)
    if (existing) return existing
    const run = this.o
      .run(m, fireTime)
      .catch((err: unknown) => this.o.logger.error({ err, monitor: m.name }, 'monitor run failed'))
      .finally(() => this.running.delete(m.name))
    this.running.set(m.name, run)
    return run
  }
}

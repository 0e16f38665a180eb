/**
 * The embedded scheduler of `cairn server`. Each tick (once a second by default) looks at every
 * active schedule, and for one with fire times due since its last fire it takes the schedule's
 * lease in the store, then claims each fire time with a compare-and-set before starting a run.
 * Two replicas on one database never fire the same time twice: only the lease holder may claim,
 * and a claim succeeds once. State lives in the store, so a restarted server picks up where the
 * last one stopped; missed times are handled per schedule:
 * - catchup: every missed time runs, oldest first, as max-concurrent allows;
 * - no catchup: only the newest missed time runs, the others are counted as skipped.
 * A due time that finds max-concurrent runs still going waits (catchup) or is skipped.
 *
 * The clock is injected and `tick()` is public, so tests drive days of schedule without sleeping.
 */
import type { ScheduleRecord } from '../../protocol/pipeline-entities.js'
import type { Logger } from '../logging.js'
import type { PipelineStore, ScheduleStore } from '../store/pipeline-store.js'
import type { Clock } from '../util/clock.js'
import { dueFireTimes } from './cron.js'

/** Starts a pipeline run for a schedule; resolves with its run id once the run is recorded. */
export type LaunchScheduledRun = (schedule: ScheduleRecord, fireTime: number) => Promise<string>

export interface SchedulerOptions {
  schedules: ScheduleStore
  pipelines: PipelineStore
  clock: Clock
  logger: Logger
  launch: LaunchScheduledRun
  /** This replica's name in leases. */
  owner: string
  /** How long a lease lasts without renewal (default 30 s). */
  leaseMs?: number
  /** Between ticks (default 1 s). */
  tickMs?: number
  /** Extra work each tick (the server sweeps lost pipeline runs here). */
  onTick?: () => Promise<unknown>
}

export interface TickReport {
  fired: { schedule: string; fireTime: number; runId: string }[]
  skipped: { schedule: string; count: number }[]
}

/** Due times one tick looks at per schedule (catch-up continues on the next tick). */
const DUE_LIMIT = 100

export class Scheduler {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<TickReport> | null = null
  private stopped = false
  private readonly leaseMs: number

  constructor(private readonly opts: SchedulerOptions) {
    this.leaseMs = opts.leaseMs ?? 30_000
  }

  start(): void {
    if (this.timer) return
    this.stopped = false
    this.timer = setInterval(() => {
      if (this.running) return
      this.tick().catch((err: unknown) => this.opts.logger.error({ err }, 'scheduler tick failed'))
    }, this.opts.tickMs ?? 1000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running?.catch(() => undefined)
    await this.opts.schedules.releaseLeases(this.opts.owner)
  }

  /** One pass over every schedule at the clock's current time. */
  tick(): Promise<TickReport> {
    const run = (async (): Promise<TickReport> => {
      const report: TickReport = { fired: [], skipped: [] }
      try {
        if (this.opts.onTick) await this.opts.onTick()
        for (const s of await this.opts.schedules.listSchedules()) {
          if (this.stopped) break
          if (s.paused) continue
          try {
            await this.tickSchedule(s, report)
          } catch (err) {
            this.opts.logger.error({ err, schedule: s.name }, 'schedule tick failed')
          }
        }
        return report
      } finally {
        this.running = null
      }
    })()
    this.running = run
    return run
  }

  private async tickSchedule(s: ScheduleRecord, report: TickReport): Promise<void> {
    const { schedules, pipelines, clock, owner } = this.opts
    const now = clock.now()
    const due = dueFireTimes(s.cron, s.timezone, { after: s.lastFireTime, now, limit: DUE_LIMIT })
    if (due.count === 0 || due.latest === null) return
    if (!(await schedules.acquireLease(s.name, owner, now, now + this.leaseMs))) return
    let last = s.lastFireTime
    const fire = async (fireTime: number, skipped: number): Promise<boolean> => {
      const slot = (await pipelines.countRunning(s.name)) < s.maxConcurrent
      if (!slot && s.catchup) return false
      const won = await schedules.claimFire({
        name: s.name,
        owner,
        expected: last,
        fireTime,
        now,
        fired: slot,
        skipped,
      })
      if (!won) return false
      last = fireTime
      if (skipped + (slot ? 0 : 1) > 0)
        report.skipped.push({ schedule: s.name, count: skipped + (slot ? 0 : 1) })
      if (slot) {
        const runId = await this.opts.launch(s, fireTime)
        report.fired.push({ schedule: s.name, fireTime, runId })
        this.opts.logger.info(
          { schedule: s.name, fireTime: new Date(fireTime).toISOString(), runId },
          'schedule fired',
        )
      } else {
        this.opts.logger.warn(
          { schedule: s.name, maxConcurrent: s.maxConcurrent },
          'schedule skipped a run: max concurrent runs still going',
        )
      }
      return true
    }
    if (s.catchup) {
      for (const t of due.times) if (!(await fire(t, 0))) break
    } else {
      await fire(due.latest, due.count - 1)
    }
  }
}

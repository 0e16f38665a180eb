/** Cairn's schedule routes (/api/2.0/cairn/schedules/…): create, list, get, pause, resume, delete, trigger. */
import { isBackend } from '../../../pipelines/executors/open-executor.js'
import { resolveParams } from '../../../pipelines/spec/params.js'
import { revalidateSpec } from '../../../pipelines/spec/raw.js'
import { NAME_RE } from '../../../pipelines/spec/names.js'
import { invalidParameter } from '../../../protocol/errors.js'
import type { ScheduleRecord } from '../../../protocol/pipeline-entities.js'
import { scheduleToWire } from '../../../protocol/pipeline-wire.js'
import { PIPELINES_API as API } from '../../../protocol/pipelines-api.js'
import { nextFireAfter, validateCron } from '../../schedule/cron.js'
import type { ScheduleStore } from '../../store/pipeline-store.js'
import type { Clock } from '../../util/clock.js'
import { defineRoute, type RouteDef } from '../route.js'

export interface ScheduleRouteDeps {
  schedules: ScheduleStore
  clock: Clock
  /** Starts a run of the schedule's pipeline now; resolves with its run id. */
  trigger: (name: string) => Promise<string>
}

export function scheduleWire(s: ScheduleRecord, now: number) {
  const next = s.paused ? null : nextFireAfter(s.cron, s.timezone, Math.max(s.lastFireTime, now))
  return scheduleToWire(s, next)
}

export function scheduleRoutes({ schedules, clock, trigger }: ScheduleRouteDeps): RouteDef[] {
  return [
    defineRoute(API.createSchedule, async (msg) => {
      const spec = revalidateSpec(msg.spec)
      const name = msg.name || spec.name
      if (!NAME_RE.test(name)) throw invalidParameter(`Schedule name '${name}' must match ${NAME_RE}.`)
      const timezone = msg.timezone || 'UTC'
      validateCron(msg.cron, timezone)
      const maxConcurrent = msg.max_concurrent ?? 1
      if (maxConcurrent < 1)
        throw invalidParameter(`'max_concurrent' must be 1 or more, got ${maxConcurrent}.`)
      const backend = msg.backend || 'local'
      if (!isBackend(backend))
        throw invalidParameter(`Unknown backend '${backend}'; known: local, kubernetes.`)
      if (backend === 'kubernetes') {
        throw invalidParameter("The kubernetes backend is not available yet; schedule with backend 'local'.")
      }
      // Parameters are checked now, so a schedule never fires into a bad value.
      const params = resolveParams(spec, msg.params ?? {})
      const created = await schedules.createSchedule({
        name,
        pipeline: spec.name,
        spec,
        params,
        workdir: msg.workdir,
        experimentName: msg.experiment_name || null,
        cron: msg.cron.trim(),
        timezone,
        maxConcurrent,
        catchup: msg.catchup,
        backend,
        now: clock.now(),
      })
      return { schedule: scheduleWire(created, clock.now()) }
    }),
    defineRoute(API.listSchedules, async () => {
      const list = await schedules.listSchedules()
      const now = clock.now()
      return list.length ? { schedules: list.map((s) => scheduleWire(s, now)) } : {}
    }),
    defineRoute(API.getSchedule, async (msg) => ({
      schedule: scheduleWire(await schedules.getSchedule(msg.name), clock.now()),
    })),
    defineRoute(API.pauseSchedule, async (msg) => ({
      schedule: scheduleWire(await schedules.setPaused(msg.name, true, clock.now()), clock.now()),
    })),
    defineRoute(API.resumeSchedule, async (msg) => ({
      schedule: scheduleWire(await schedules.setPaused(msg.name, false, clock.now()), clock.now()),
    })),
    defineRoute(API.deleteSchedule, async (msg) => {
      await schedules.deleteSchedule(msg.name)
      return {}
    }),
    defineRoute(API.triggerSchedule, async (msg) => ({ run_id: await trigger(msg.name) })),
  ]
}

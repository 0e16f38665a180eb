/** Cairn's monitor routes (/api/2.0/cairn/monitors/…): create, list, get, pause, resume, delete, run now. */
import { MONITORS_API as API, type WireMonitor, type WireMonitorRun } from '../../../protocol/monitors-api.js'
import type { MonitorService, MonitorRunResult } from '../../../monitoring/monitors/monitor-service.js'
import { monitorToRaw } from '../../../monitoring/monitors/spec-document.js'
import { normalizeMonitor } from '../../../monitoring/monitors/spec.js'
import type { MonitorRecord } from '../../store/monitor-store.js'
import { nextFireAfter } from '../../schedule/cron.js'
import type { Clock } from '../../util/clock.js'
import { defineRoute, type RouteDef } from '../route.js'

/** The wire form: secrets redacted, the next scheduled time computed. */
export function monitorToWire(m: MonitorRecord, now: number): WireMonitor {
  let doc: Record<string, unknown>
  let next: number | null = null
  try {
    const spec = normalizeMonitor(m.spec)
    doc = monitorToRaw(spec, { redactSecrets: true })
    if (spec.schedule && !m.paused)
      next = nextFireAfter(spec.schedule.cron, spec.schedule.timezone, Math.max(m.lastFireTime, now))
  } catch {
    // A document stored by another version that no longer validates is shown as stored.
    doc = m.spec as Record<string, unknown>
  }
  const out: WireMonitor = {
    name: m.name,
    monitor: doc,
    paused: m.paused,
    created_time: m.createdTime,
    updated_time: m.updatedTime,
  }
  if (next !== null) out.next_run_time = next
  if (m.lastRun)
    out.last_run = {
      run_id: m.lastRun.runId,
      status: m.lastRun.status,
      time: m.lastRun.time,
      summary: m.lastRun.summary,
    }
  if (m.lastAlertTime !== null) out.last_alert_time = m.lastAlertTime
  return out
}

export function monitorRunToWire(r: MonitorRunResult): WireMonitorRun {
  const out: WireMonitorRun = {
    monitor: r.monitor,
    run_id: r.runId,
    experiment_id: r.experimentId,
    status: r.status,
    message: r.message,
    checks: r.evaluation.checks.map((c) => ({ check: c.check, status: c.status, message: c.message })),
    summary: r.evaluation.summary,
  }
  if (r.alert && r.alert.state !== 'none') {
    out.alert = {
      state: r.alert.state,
      webhooks: r.alert.webhooks.map((w) => ({ url: w.url, ok: w.ok, attempts: w.attempts })),
      ...(r.alert.pipelineRunId ? { pipeline_run_id: r.alert.pipelineRunId } : {}),
    }
  }
  return out
}

export function monitorRoutes(service: MonitorService, clock: Clock): RouteDef[] {
  const wire = (m: MonitorRecord): WireMonitor => monitorToWire(m, clock.now())
  return [
    defineRoute(API.createMonitor, async (msg) => ({ monitor: wire(await service.create(msg.monitor!)) })),
    defineRoute(API.listMonitors, async () => {
      const list = await service.list()
      return list.length ? { monitors: list.map(wire) } : {}
    }),
    defineRoute(API.getMonitor, async (msg) => ({ monitor: wire(await service.get(msg.name)) })),
    defineRoute(API.pauseMonitor, async (msg) => ({
      monitor: wire(await service.setPaused(msg.name, true)),
    })),
    defineRoute(API.resumeMonitor, async (msg) => ({
      monitor: wire(await service.setPaused(msg.name, false)),
    })),
    defineRoute(API.deleteMonitor, async (msg) => {
      await service.delete(msg.name)
      return {}
    }),
    defineRoute(API.runMonitor, async (msg) => ({
      run: monitorRunToWire(
        await service.run(msg.name, { ...(msg.end_time !== undefined ? { end: msg.end_time } : {}) }),
      ),
    })),
  ]
}

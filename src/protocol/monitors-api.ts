/**
 * Cairn's monitor endpoints, under /api/2.0/cairn/monitors/…: define monitors (model, window,
 * schedule, checks, alerts), list them with their last run, pause, resume, delete, and run one now.
 * One row per endpoint, used by the server's routes and the client alike.
 */
import { endpoint } from './endpoint.js'
import { invalidValue, optionalInt64, schema, string, type Field } from './fields.js'

type Empty = Record<string, never>

function jsonObject(opts: { required?: boolean } = {}): Field<Record<string, unknown> | undefined> {
  return {
    required: opts.required ?? false,
    fallback: undefined,
    parse: (v, name) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, v)
      return v as Record<string, unknown>
    },
  }
}

export interface WireMonitorLastRun {
  run_id: string
  /** passed | failed | no_data | error */
  status: string
  time: number
  summary: Record<string, number>
}

export interface WireMonitor {
  name: string
  /** The monitor document (snake_case, as given; webhook secrets shown as "***"). */
  monitor: Record<string, unknown>
  paused: boolean
  created_time: number
  updated_time: number
  next_run_time?: number
  last_run?: WireMonitorLastRun
  last_alert_time?: number
}

export interface WireMonitorCheck {
  check: string
  status: string
  message: string
}

export interface WireMonitorRun {
  monitor: string
  run_id: string
  experiment_id: string
  status: string
  message: string
  checks: WireMonitorCheck[]
  summary: Record<string, number>
  /** What the failure's alert did: sent, suppressed (cool-down) or none. */
  alert?: {
    state: string
    pipeline_run_id?: string
    webhooks: { url: string; ok: boolean; attempts: number }[]
  }
}

const name = () => string({ required: true })

export const MONITORS_API = {
  createMonitor: endpoint<{ monitor: WireMonitor }>()(
    'createMonitor',
    { methods: ['POST'], path: '/cairn/monitors/create' },
    schema({ monitor: jsonObject({ required: true }) }),
  ),
  listMonitors: endpoint<{ monitors?: WireMonitor[] }>()(
    'listMonitors',
    { methods: ['GET'], path: '/cairn/monitors/list' },
    schema({}),
  ),
  getMonitor: endpoint<{ monitor: WireMonitor }>()(
    'getMonitor',
    { methods: ['GET'], path: '/cairn/monitors/get' },
    schema({ name: name() }),
  ),
  pauseMonitor: endpoint<{ monitor: WireMonitor }>()(
    'pauseMonitor',
    { methods: ['POST'], path: '/cairn/monitors/pause' },
    schema({ name: name() }),
  ),
  resumeMonitor: endpoint<{ monitor: WireMonitor }>()(
    'resumeMonitor',
    { methods: ['POST'], path: '/cairn/monitors/resume' },
    schema({ name: name() }),
  ),
  deleteMonitor: endpoint<Empty>()(
    'deleteMonitor',
    { methods: ['POST'], path: '/cairn/monitors/delete' },
    schema({ name: name() }),
  ),
  /**
   * Runs the monitor now and answers when its run is recorded (alerts included). `end_time`
   * (epoch ms) moves the window's end (default now).
   */
  runMonitor: endpoint<{ run: WireMonitorRun }>()(
    'runMonitor',
    { methods: ['POST'], path: '/cairn/monitors/run' },
    schema({ name: name(), end_time: optionalInt64() }),
  ),
} as const

export type MonitorsApi = typeof MONITORS_API

/**
 * The monitor store: monitor definitions, the scheduler's lease and fire-time claim per monitor,
 * the last run's summary (what /metrics exports, whichever replica ran it) and the alert
 * cool-down claim. Monitor runs themselves are tracking runs (experiment `cairn-monitoring`).
 */

export interface MonitorRecord {
  name: string
  /** The monitor document as stored (snake_case; src/monitoring/monitors/spec.ts normalizes it). */
  spec: unknown
  paused: boolean
  createdTime: number
  updatedTime: number
  /** The last scheduled time claimed; fires happen strictly after it. */
  lastFireTime: number
  lastRun: MonitorLastRun | null
  /** When an alert last acted (webhooks, pipeline); the cool-down counts from here. */
  lastAlertTime: number | null
}

export interface MonitorLastRun {
  runId: string
  /** passed | failed | no_data | error */
  status: string
  time: number
  /** What the run measured (metric name → value), exported on /metrics. */
  summary: Record<string, number>
}

export interface MonitorStore {
  /** RESOURCE_ALREADY_EXISTS when the name is taken. */
  createMonitor(input: { name: string; spec: unknown; now: number }): Promise<MonitorRecord>
  /** Throws RESOURCE_DOES_NOT_EXIST. */
  getMonitor(name: string): Promise<MonitorRecord>
  listMonitors(): Promise<MonitorRecord[]>
  /** Pausing stops scheduled runs; resuming fires from `now` on (time paused is not caught up). */
  setPaused(name: string, paused: boolean, now: number): Promise<MonitorRecord>
  deleteMonitor(name: string): Promise<void>
  /** Takes or renews the monitor's lease when free, expired or already `owner`'s. */
  acquireLease(name: string, owner: string, now: number, until: number): Promise<boolean>
  releaseLeases(owner: string): Promise<void>
  /** Compare-and-set of the last fire time, for the lease holder only: one claimant wins a time. */
  claimFire(input: {
    name: string
    owner: string
    expected: number
    fireTime: number
    now: number
  }): Promise<boolean>
  recordRun(name: string, run: MonitorLastRun): Promise<void>
  /**
   * Claims the right to alert at `now`: succeeds when no alert acted within `cooldownMs` before,
   * and then records `now`. Exactly one of concurrent claimants wins.
   */
  claimAlert(name: string, now: number, cooldownMs: number): Promise<boolean>
}

/**
 * MonitorsClient: Cairn's monitor routes over HTTP, for the CLI and for scripts.
 *
 * ```ts
 * const monitors = MonitorsClient.forUri('http://localhost:5000')
 * await monitors.create({
 *   name: 'sp500-drift',
 *   model: 'models:/sp500@champion',
 *   window: '30d',
 *   current: { file: '/data/sp500-2008.csv' },
 *   checks: { drift: { drift_share: 0.5 } },
 * })
 * const run = await monitors.run('sp500-drift') // { status: 'failed', run_id, checks, summary, … }
 * ```
 */
import { HttpClient } from '../../client/http.js'
import { MONITORS_API as API, type WireMonitor, type WireMonitorRun } from '../../protocol/monitors-api.js'

export class MonitorsClient {
  constructor(readonly http: HttpClient) {}

  static forUri(trackingUri: string): MonitorsClient {
    return new MonitorsClient(new HttpClient({ trackingUri }))
  }

  /** Stores a monitor document (docs/monitoring.md, "Monitors"). */
  async create(monitor: Record<string, unknown>): Promise<WireMonitor> {
    return (await this.http.call(API.createMonitor, { monitor })).monitor
  }

  async list(): Promise<WireMonitor[]> {
    return (await this.http.call(API.listMonitors, {})).monitors ?? []
  }

  async get(name: string): Promise<WireMonitor> {
    return (await this.http.call(API.getMonitor, { name })).monitor
  }

  async pause(name: string): Promise<WireMonitor> {
    return (await this.http.call(API.pauseMonitor, { name })).monitor
  }

  async resume(name: string): Promise<WireMonitor> {
    return (await this.http.call(API.resumeMonitor, { name })).monitor
  }

  async delete(name: string): Promise<void> {
    await this.http.call(API.deleteMonitor, { name })
  }

  /** Runs the monitor now; resolves once its run is recorded. Not retried: a retry would run it twice. */
  async run(name: string, opts: { endTime?: number } = {}): Promise<WireMonitorRun> {
    const req = { name, ...(opts.endTime !== undefined ? { end_time: opts.endTime } : {}) }
    return (await this.http.call(API.runMonitor, req, { retry: false })).run
  }
}

/**
 * Monitoring series for Prometheus, registered into the server's registry (the one /metrics
 * serves). Gauges are read from the store at scrape time (each monitor's last run summary), so
 * every replica exports the same values whichever replica ran the monitor; counters of runs and
 * alert actions are this process's own.
 *
 * Summary keys (also the monitor runs' tracking metric keys, see summary-keys.ts) map to series:
 * drift.share → cairn_monitor_drift_share, drift.score.<col> → cairn_monitor_drift_score{column},
 * quality.<m> → cairn_monitor_quality{metric}, validation.failures → cairn_monitor_validation_failures …
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { MonitorRecord } from '../../server/store/monitor-store.js'
import { parseModelUri } from '../../protocol/model-uri.js'
import { SUMMARY } from '../monitors/summary-keys.js'

export const MONITOR_STATUSES = ['passed', 'failed', 'no_data', 'error'] as const

type Labels = Record<string, string>

interface GaugeSpec {
  name: string
  help: string
  labelNames: string[]
  /** Values for one monitor: each with its extra labels. */
  read: (m: MonitorRecord, s: Record<string, number>) => { labels: Labels; value: number }[]
}

function one(key: string): GaugeSpec['read'] {
  return (_m, s) => (s[key] !== undefined ? [{ labels: {}, value: s[key] }] : [])
}

function byPrefix(prefix: string, label: string): GaugeSpec['read'] {
  return (_m, s) =>
    Object.entries(s)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, value]) => ({ labels: { [label]: k.slice(prefix.length) }, value }))
}

const GAUGES: GaugeSpec[] = [
  {
    name: 'cairn_monitor_drift_score',
    help: "A column's drift score in the monitor's last run (p-value for tests, distance otherwise; see the method).",
    labelNames: ['column'],
    read: byPrefix(SUMMARY.driftScorePrefix, 'column'),
  },
  {
    name: 'cairn_monitor_column_drift',
    help: 'Whether a column drifted in the last run (1) or not (0).',
    labelNames: ['column'],
    read: byPrefix(SUMMARY.driftDetectedPrefix, 'column'),
  },
  {
    name: 'cairn_monitor_drift_share',
    help: 'Share of compared columns that drifted in the last run.',
    labelNames: [],
    read: one(SUMMARY.driftShare),
  },
  {
    name: 'cairn_monitor_dataset_drift',
    help: 'Dataset drift in the last run (1: the drifted share reached the threshold).',
    labelNames: [],
    read: one(SUMMARY.datasetDrift),
  },
  {
    name: 'cairn_monitor_validation_failures',
    help: 'Failed expectations in the last run.',
    labelNames: [],
    read: one(SUMMARY.validationFailures),
  },
  {
    name: 'cairn_monitor_quality',
    help: 'Live model quality over the last window with ground truth (accuracy, auc, f1, mae, rmse …).',
    labelNames: ['metric'],
    read: byPrefix(SUMMARY.qualityPrefix, 'metric'),
  },
  {
    name: 'cairn_monitor_labelled_rows',
    help: 'Predictions of the last window joined with ground truth from /feedback.',
    labelNames: [],
    read: one(SUMMARY.labelledRows),
  },
  {
    name: 'cairn_monitor_current_rows',
    help: 'Rows of current data the last run compared.',
    labelNames: [],
    read: one(SUMMARY.currentRows),
  },
  {
    name: 'cairn_monitor_failing',
    help: 'The last run failed a check (1) or not (0).',
    labelNames: [],
    read: (m) => (m.lastRun ? [{ labels: {}, value: m.lastRun.status === 'failed' ? 1 : 0 }] : []),
  },
  {
    name: 'cairn_monitor_status',
    help: "The last run's status: 1 for the status it had, 0 for the others.",
    labelNames: ['status'],
    read: (m) =>
      m.lastRun
        ? MONITOR_STATUSES.map((st) => ({ labels: { status: st }, value: m.lastRun!.status === st ? 1 : 0 }))
        : [],
  },
  {
    name: 'cairn_monitor_last_run_timestamp_seconds',
    help: 'When the last run of the monitor ended (Unix seconds).',
    labelNames: [],
    read: (m) => (m.lastRun ? [{ labels: {}, value: m.lastRun.time / 1000 }] : []),
  },
]

/** The model label: the registered name of a models:/ URI, else the URI. */
function modelLabel(spec: unknown): string {
  const uri =
    typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['model'] : undefined
  if (typeof uri !== 'string') return ''
  try {
    const p = parseModelUri(uri)
    return 'name' in p ? p.name : uri
  } catch {
    return uri
  }
}

export class MonitorMetrics {
  readonly runs: Counter<'monitor' | 'status'>
  readonly actions: Counter<'monitor' | 'action' | 'result'>
  private snapshot: { at: number; list: Promise<MonitorRecord[]> } | null = null

  constructor(
    registry: Registry,
    private readonly list: () => Promise<MonitorRecord[]>,
  ) {
    const registers = [registry]
    this.runs = new Counter({
      name: 'cairn_monitor_runs_total',
      help: 'Monitor runs by this server, by final status.',
      labelNames: ['monitor', 'status'],
      registers,
    })
    this.actions = new Counter({
      name: 'cairn_monitor_alert_actions_total',
      help: 'Alert actions of failing monitors: webhook, pipeline, or suppressed by the cool-down.',
      labelNames: ['monitor', 'action', 'result'],
      registers,
    })
    for (const g of GAUGES) {
      const load = (): Promise<MonitorRecord[]> => this.load()
      new Gauge({
        name: g.name,
        help: g.help,
        labelNames: ['monitor', 'model', ...g.labelNames],
        registers,
        async collect() {
          this.reset()
          for (const m of await load()) {
            if (!m.lastRun) continue
            const base = { monitor: m.name, model: modelLabel(m.spec) }
            for (const { labels, value } of g.read(m, m.lastRun.summary)) {
              if (Number.isFinite(value)) this.set({ ...base, ...labels }, value)
            }
          }
        },
      })
    }
  }

  /** One store read serves every gauge of a scrape (prom-client collects them concurrently). */
  private load(): Promise<MonitorRecord[]> {
    const now = Date.now()
    if (!this.snapshot || now - this.snapshot.at > 500) this.snapshot = { at: now, list: this.list() }
    return this.snapshot.list
  }
}

/**
 * The monitoring part of `npm run example:sp500`: write the current window, start the webhook
 * receiver, add `sp500-drift` and run it once. The drifting run fails, so its alert posts the
 * signed webhook and starts the retraining schedule's pipeline; the runner waits for that run and
 * prints where the report is (UI page, `cairn monitor report`).
 */
import { join, relative } from 'node:path'
import { main as cairn } from '../../../src/cli/main.js'
import { MonitorsClient } from '../../../src/monitoring/monitors/client.js'
import { SUMMARY } from '../../../src/monitoring/monitors/summary-keys.js'
import { PipelinesClient } from '../../../src/pipelines/client.js'
import { describePeriod, type Period } from '../lib/windows.js'
import { MODEL_NAME } from '../pipeline.js'
import { SCHEDULE } from '../schedule.js'
import { addMonitor, CURRENT_FILE, MONITOR, resolveMonitor, writeCurrentWindow } from './monitor.js'
import { startAlertReceiver, type AlertReceiver, type AlertReceiverOptions } from './receiver.js'

export interface MonitoringOptions {
  trackingUri: string
  home: string
  /** The price CSV (path or URL) the current window's features come from. */
  data: string
  period: Period
  /** The webhooks' shared secret (the server's SP500_WEBHOOK_SECRET). */
  secret: string
  webhookPort: number
  say: (line?: string) => void
}

export interface Monitoring {
  /** The monitor ran (drift or not) and the retraining it started, if any, succeeded. */
  ok: boolean
  receiver: AlertReceiver
  close(): Promise<void>
}

async function startReceiver(o: AlertReceiverOptions, say: (l: string) => void): Promise<AlertReceiver> {
  try {
    return await startAlertReceiver(o)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    say(`  port ${o.port} is taken; the webhook receiver takes a free port instead`)
    return startAlertReceiver({ ...o, port: 0 })
  }
}

/** The strongest drift scores of the monitor's last run, from its summary. */
function strongest(summary: Record<string, number>, n: number): string {
  return Object.entries(summary)
    .filter(([k]) => k.startsWith(SUMMARY.driftScorePrefix))
    .sort(([, a], [, b]) => b - a)
    .slice(0, n)
    .map(([k, v]) => `${k.slice(SUMMARY.driftScorePrefix.length)} ${v.toFixed(2)}`)
    .join(', ')
}

async function waitForPipelineRun(trackingUri: string, runId: string): Promise<string> {
  const pipelines = PipelinesClient.forUri(trackingUri)
  const deadline = Date.now() + 600_000
  let got = await pipelines.getRun(runId)
  while (got.run.status === 'running' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500))
    got = await pipelines.getRun(runId)
  }
  // A fan-out's parent record is no run of its own: its items are.
  const parent = (key: string): boolean => got.steps.some((s) => s.stepKey.startsWith(`${key}[`))
  const ran = got.steps
    .filter((s) => s.status === 'succeeded' && !s.cacheHit && !parent(s.stepKey))
    .map((s) => s.stepKey)
  const cached = got.steps.filter((s) => s.cacheHit).length
  return `${got.run.status}; ran ${ran.join(', ') || 'nothing'}, ${cached} steps from the cache`
}

export async function startMonitoring(o: MonitoringOptions): Promise<Monitoring> {
  const { say } = o
  const dir = join(o.home, 'monitoring')
  const rel = (p: string): string => {
    const r = relative(process.cwd(), p)
    return r === '' || r.startsWith('..') ? p : r
  }
  say(`\n== monitoring: ${MONITOR}, the champion's training period against ${describePeriod(o.period)}`)
  const current = await writeCurrentWindow(o.data, o.period, join(dir, CURRENT_FILE))
  say(`  current window ${current.first} → ${current.last} (${current.rows} days): ${rel(current.file)}`)

  const receiver = await startReceiver(
    {
      secret: o.secret,
      port: o.webhookPort,
      logFile: join(dir, 'alerts.jsonl'),
      onAlert: ({ payload: p }) =>
        say(
          `  [webhook] signature verified: ${p.monitor} ${p.status} on ${p.model.uri} (version ${p.model.version ?? '?'}); retraining run ${p.pipeline_run_id ?? 'not started'}`,
        ),
      onRejected: (why) => say(`  [webhook] refused a request: ${why}`),
    },
    say,
  )
  say(`  webhook receiver ${receiver.url} (alerts logged to ${rel(join(dir, 'alerts.jsonl'))})`)
  const file = await addMonitor(o.trackingUri, await resolveMonitor({ dir, webhookUrl: receiver.url }), dir)
  say(`  (resolved monitor file: ${rel(file)})\n`)

  // Exit code 1 is the monitor saying "drift"; the run itself is what matters here.
  await cairn(['node', 'cairn', 'monitor', 'run', MONITOR, '--tracking-uri', o.trackingUri])
  const last = (await MonitorsClient.forUri(o.trackingUri).get(MONITOR)).last_run
  let ok = last !== undefined && last.status !== 'error'
  if (last) say(`  strongest drift (Wasserstein / reference std, drift ≥ 0.1): ${strongest(last.summary, 4)}`)
  const retrain = receiver.alerts.at(-1)?.payload.pipeline_run_id
  if (retrain) {
    const outcome = await waitForPipelineRun(o.trackingUri, retrain)
    say(`  retraining run ${retrain} (schedule ${SCHEDULE}, started by the alert): ${outcome}`)
    ok &&= outcome.startsWith('succeeded')
  }
  const uri = `models:/${MODEL_NAME}@champion`
  say(`\n  report in the UI: ${o.trackingUri}/monitoring/${MONITOR}`)
  say(
    `  report files:     npx cairn monitor report ${uri} --current ${rel(current.file)} --tracking-uri ${o.trackingUri} --out ${rel(join(dir, 'report'))}`,
  )
  say(
    `  run it again:     npx cairn monitor run ${MONITOR} --tracking-uri ${o.trackingUri}   (within the 6 h cool-down the alert only logs)`,
  )
  return { ok, receiver, close: () => receiver.close() }
}

/**
 * The example's monitor end to end against a real Cairn server: the pipeline (one model family)
 * stores the training period's profile beside the champion; `sp500-drift` from monitor.yaml
 * compares the newest year with it and reports drift; the failing run posts a signed webhook to
 * the example's receiver and starts a retraining run through the schedule `sp500-daily`; a second
 * failing run within the cool-down only logs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../src/client/index.js'
import { loadMonitoringArtifacts } from '../../src/monitoring/artifacts/model-artifacts.js'
import { signPayload } from '../../src/monitoring/alerts/webhook.js'
import { MonitorsClient } from '../../src/monitoring/monitors/client.js'
import type { MonitorReport } from '../../src/monitoring/report/report-types.js'
import { PipelinesClient } from '../../src/pipelines/client.js'
import { LocalExecutor } from '../../src/pipelines/executors/local/local-executor.js'
import { runPipeline } from '../../src/pipelines/orchestrator/orchestrator.js'
import { resolveParams } from '../../src/pipelines/spec/params.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { parsePriceCsv } from './lib/data.js'
import { computeFeatures, featuresToCsv } from './lib/features.js'
import { parsePeriod, trainingRows } from './lib/windows.js'
import {
  addMonitor,
  CURRENT_FILE,
  MONITOR,
  resolveMonitor,
  SECRET_ENV,
  writeCurrentWindow,
} from './monitoring/monitor.js'
import { startAlertReceiver, type AlertReceiver } from './monitoring/receiver.js'
import sp500, { MODEL_NAME } from './pipeline.js'
import { CRON, SCHEDULE } from './schedule.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const CSV_PATH = join(HERE, '../../node_modules/vega-datasets/data/sp500-2000.csv')
const SECRET = 'sp500-test-secret'
const spec = sp500.build()
const params = resolveParams(spec, { data: CSV_PATH, models: 'logistic_regression' })

describe('the S&P 500 drift monitor, its webhook and the retraining it starts', () => {
  let server: TestServer
  let receiver: AlertReceiver
  let monitors: MonitorsClient
  let pipelines: PipelinesClient
  let sdk: CairnClient
  const dir = mkdtempSync(join(tmpdir(), 'sp500-monitor-'))
  const executor = new LocalExecutor({
    maxConcurrent: 2,
    killGraceMs: 1000,
    scratchDir: join(dir, 'scratch'),
  })
  const features = (() => {
    const t = parsePriceCsv(readFileSync(CSV_PATH, 'utf8'))
    return computeFeatures(t.rows, t.columns)
  })()

  beforeAll(async () => {
    server = await startTestServer(
      {},
      {
        pipelines: { scheduler: false },
        monitoring: { scheduler: false, env: { [SECRET_ENV]: SECRET }, delivery: { backoffMs: 10 } },
      },
    )
    monitors = MonitorsClient.forUri(server.url)
    pipelines = PipelinesClient.forUri(server.url)
    sdk = new CairnClient({ trackingUri: server.url, handleExit: false })
    receiver = await startAlertReceiver({ secret: SECRET })
    const out = await runPipeline({
      spec,
      params,
      workdir: HERE,
      executor,
      client: pipelines,
      sleep: async () => {},
    })
    expect(out.message).toBe('')
    expect(out.status).toBe('succeeded')
    await pipelines.createSchedule({
      name: SCHEDULE,
      spec,
      params,
      workdir: HERE,
      cron: CRON,
      timezone: 'UTC',
      maxConcurrent: 1,
      catchup: false,
      backend: 'local',
    })
  })

  afterAll(async () => {
    await receiver?.close()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("stores the training period's feature profile beside the champion as its reference", async () => {
    const stored = await loadMonitoringArtifacts(sdk, `models:/${MODEL_NAME}@champion`)
    const train = trainingRows(features, 0.15, 0.15)
    expect(stored.profile?.rowCount).toBe(train.length)
    expect(stored.profile?.columns.map((c) => c.name)).toEqual(features.names)
    const vol = stored.profile!.columns.find((c) => c.name === 'volatility_20')!
    const mean =
      train.reduce((s, r) => s + r.values[features.names.indexOf('volatility_20')]!, 0) / train.length
    expect(vol.numerical!.mean).toBeCloseTo(mean, 12)
    expect(stored.expectations?.columns['volatility_20']).toMatchObject({ type: 'numerical', required: true })
  })

  it('adds sp500-drift from monitor.yaml with the current file, the receiver and the retraining schedule', async () => {
    const current = await writeCurrentWindow(CSV_PATH, parsePeriod('last-250'), join(dir, CURRENT_FILE))
    expect(current).toMatchObject({ rows: 250, first: '2019-04-23', last: '2020-04-17' })
    await addMonitor(server.url, await resolveMonitor({ dir, webhookUrl: receiver.url }), dir)
    const m = await monitors.get(MONITOR)
    expect(m.monitor).toMatchObject({
      model: `models:/${MODEL_NAME}@champion`,
      current: { file: join(dir, CURRENT_FILE) },
      checks: { drift: { drift_share: 0.5 } },
      alerts: {
        cooldown: '6h',
        webhooks: [{ url: receiver.url, secret_env: SECRET_ENV }],
        pipeline: { schedule: SCHEDULE },
      },
    })
  })

  let firstRetrain = ''

  it('reports dataset drift of the newest year against the training period, volatility drifting most', async () => {
    const run = await monitors.run(MONITOR)
    expect(run.status).toBe('failed')
    expect(run.checks).toContainEqual(expect.objectContaining({ check: 'drift', status: 'failed' }))
    expect(run.summary['drift.dataset']).toBe(1)
    expect(run.summary['drift.share']).toBeGreaterThanOrEqual(0.5)
    expect(run.summary['rows.current']).toBe(250)
    const scores = Object.entries(run.summary)
      .filter(([k]) => k.startsWith('drift.score.'))
      .sort(([, a], [, b]) => b - a)
      .map(([k]) => k.slice('drift.score.'.length))
    expect(scores).toHaveLength(features.names.length)
    expect(scores.slice(0, 2).sort()).toEqual(['volatility_10', 'volatility_20'])

    const res = await server.fetch(`/get-artifact?path=report/report.json&run_uuid=${run.run_id}`)
    expect(res.status).toBe(200)
    const report = (await res.json()) as MonitorReport
    expect(report.drift).toMatchObject({ datasetDrift: true })
    expect(report.drift!.columns.find((c) => c.column === 'volatility_20')).toMatchObject({
      method: 'wasserstein',
      statistic: 'distance',
      threshold: 0.1,
      drifted: true,
    })
    const html = await server.fetch(`/get-artifact?path=report/report.html&run_uuid=${run.run_id}`)
    expect(await html.text()).toContain('volatility_20')

    // The failure acted: the retraining run started through the schedule, named in the signed webhook.
    expect(run.alert).toMatchObject({ state: 'sent', webhooks: [{ url: receiver.url, ok: true }] })
    firstRetrain = run.alert!.pipeline_run_id!
    expect(firstRetrain).toMatch(/^[0-9a-f]{32}$/)
    expect(receiver.alerts).toHaveLength(1)
    expect(receiver.alerts[0]!.payload).toMatchObject({
      event: 'monitor.failed',
      monitor: MONITOR,
      run_id: run.run_id,
      pipeline_run_id: firstRetrain,
      failed_checks: [expect.objectContaining({ check: 'drift' })],
    })
  })

  it('refuses webhook requests whose signature does not verify', async () => {
    const body = JSON.stringify({ event: 'monitor.failed', monitor: MONITOR })
    const ts = String(Math.floor(Date.now() / 1000))
    const send = (headers: Record<string, string>) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      })
    expect((await send({})).status).toBe(401)
    expect(
      (await send({ 'X-Cairn-Timestamp': ts, 'X-Cairn-Signature': signPayload('wrong', ts, body) })).status,
    ).toBe(401)
    const stale = String(Number(ts) - 3600)
    expect(
      (await send({ 'X-Cairn-Timestamp': stale, 'X-Cairn-Signature': signPayload(SECRET, stale, body) }))
        .status,
    ).toBe(401)
    expect(receiver.rejected).toHaveLength(3)
    expect(receiver.alerts).toHaveLength(1)
  })

  it('runs the retraining pipeline the alert started, as a run of the schedule sp500-daily', async () => {
    let got = await pipelines.getRun(firstRetrain)
    for (let i = 0; i < 1200 && got.run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      got = await pipelines.getRun(firstRetrain)
    }
    expect(got.run).toMatchObject({ status: 'succeeded', scheduleName: SCHEDULE })
    const scheduled = await pipelines.searchRuns({ scheduleName: SCHEDULE })
    expect(scheduled.runs.map((r) => r.runId)).toEqual([firstRetrain])
  })

  it('only logs a second failing run within the cool-down: no webhook, no new pipeline run', async () => {
    const run = await monitors.run(MONITOR)
    expect(run.status).toBe('failed')
    expect(run.alert?.state).toBe('suppressed')
    expect(run.alert?.pipeline_run_id).toBeUndefined()
    expect(receiver.alerts).toHaveLength(1)
    const scheduled = await pipelines.searchRuns({ scheduleName: SCHEDULE })
    expect(scheduled.runs.map((r) => r.runId)).toEqual([firstRetrain])
  })

  it('passes, and alerts nobody, when the current data is the training period itself', async () => {
    const file = join(dir, 'training-period.csv')
    writeFileSync(file, featuresToCsv({ names: features.names, rows: trainingRows(features, 0.15, 0.15) }))
    await monitors.create({
      name: 'sp500-training-period',
      model: `models:/${MODEL_NAME}@champion`,
      current: { file },
      checks: { drift: { drift_share: 0.5 } },
      alerts: { cooldown: 0, webhooks: [{ url: receiver.url, secret_env: SECRET_ENV }] },
    })
    const run = await monitors.run('sp500-training-period')
    expect(run.status).toBe('passed')
    expect(run.summary['drift.share']).toBe(0)
    expect(run.alert?.state ?? 'none').toBe('none')
    expect(receiver.alerts).toHaveLength(1)
  })
})

/** Alerts that act, in a real server: a failing monitor signs webhooks, retries, starts a pipeline, and cools down. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PipelinesClient } from '../../pipelines/client.js'
import { eventually } from '../../server/serving/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { MonitorsClient } from '../monitors/client.js'
import { writeReferenceCsv, writeRequests } from '../monitors/test-support/data.js'
import { tagsOf } from '../monitors/test-support/prediction-logs.js'
import { memoryLogger, startReceiver, type Receiver } from './test-support/receiver.js'
import { verifySignature } from './webhook.js'

const H = 3_600_000
const END = Date.parse('2024-06-01T12:00:00Z')
let now = END
const clock = { now: () => now }
let server: TestServer
let monitors: MonitorsClient
let pipelines: PipelinesClient
let receiver: Receiver
let tmp: string
const log = memoryLogger()

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cairn-alerts-'))
  writeReferenceCsv(join(tmp, 'reference.csv'))
  writeRequests(join(tmp, 'logs'), { start: END - 10 * H, n: 200, everyMs: 60_000, shift: 3, shiftAll: true })
  writeRequests(join(tmp, 'calm'), { start: END - 10 * H, n: 200, everyMs: 60_000, shift: 0, seed: 3 })
  writeFileSync(
    join(tmp, 'retrain.yaml'),
    `name: retrain
steps:
  - name: train
    command: [node, -e, "require('fs').appendFileSync('retrained.txt', 'x')"]
`,
  )
  receiver = await startReceiver([503, 200])
  server = await startTestServer(
    {},
    {
      monitoring: {
        scheduler: false,
        clock,

        delivery: { backoffMs: 1 },
        env: { HOOK_SECRET: 'shared-secret' },
      },
      pipelines: { scheduler: false },
    },
  )
  monitors = MonitorsClient.forUri(server.url)
  pipelines = PipelinesClient.forUri(server.url)
})
afterAll(async () => {
  await server.close()
  await receiver.close()
  rmSync(tmp, { recursive: true, force: true })
})

function monitor(name: string, logs: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    model: 'file:///nowhere/model',
    window: '24h',
    current: { prediction_log: { dir: join(tmp, logs) } },
    reference: { file: join(tmp, 'reference.csv') },
    checks: { drift: { drift_share: 0.3 } },
    ...extra,
  }
}

describe('alerts of a failing monitor', () => {
  it('starts the pipeline, then posts a signed payload naming it, retrying a 503', async () => {
    await monitors.create(
      monitor('retrainer', 'logs', {
        alerts: {
          cooldown: '6h',
          webhooks: [{ url: receiver.url, secret_env: 'HOOK_SECRET', retries: 2 }],
          pipeline: { spec: join(tmp, 'retrain.yaml') },
        },
      }),
    )
    const run = await monitors.run('retrainer')
    expect(run.status).toBe('failed')
    expect(run.alert).toMatchObject({
      state: 'sent',
      webhooks: [{ url: receiver.url, ok: true, attempts: 2 }],
    })
    const pipelineRunId = run.alert!.pipeline_run_id!
    expect(pipelineRunId).toMatch(/^[0-9a-f]{32}$/)

    expect(receiver.received).toHaveLength(2)
    const last = receiver.received[1]!
    expect(
      verifySignature({
        secret: 'shared-secret',
        body: last.body,
        timestamp: last.headers['x-cairn-timestamp'] as string,
        signature: last.headers['x-cairn-signature'] as string,
      }),
    ).toBe(true)
    const payload = JSON.parse(last.body)
    expect(payload).toMatchObject({
      event: 'monitor.failed',
      monitor: 'retrainer',
      status: 'failed',
      run_id: run.run_id,
      pipeline_run_id: pipelineRunId,
      failed_checks: [{ check: 'drift' }],
    })
    expect(payload.metrics['drift.share']).toBeGreaterThanOrEqual(0.3)

    // The pipeline runs in the server and is recorded like any pipeline run, tagged with the monitor.
    await eventually(async () => (await pipelines.getRun(pipelineRunId)).run.status !== 'running', 50)
    expect((await pipelines.getRun(pipelineRunId)).run.status).toBe('succeeded')
    expect(readFileSync(join(tmp, 'retrained.txt'), 'utf8')).toBe('x')
    const tagged = await server.get('/api/2.0/mlflow/runs/get', { run_id: pipelineRunId })
    const tags = tagsOf(tagged.json.run)
    expect(tags).toMatchObject({ 'cairn.monitor': 'retrainer', 'cairn.monitor_run': run.run_id })
    const monitorRun = await server.get('/api/2.0/mlflow/runs/get', { run_id: run.run_id })
    const monitorTags = tagsOf(monitorRun.json.run)
    expect(monitorTags).toMatchObject({ 'cairn.alert': 'sent', 'cairn.alert_pipeline_run': pipelineRunId })
  })

  it('only logs while the cool-down runs, and acts again once it is over', async () => {
    const before = receiver.received.length
    now = END + 2 * H
    const again = await monitors.run('retrainer', { endTime: END })
    expect(again.status).toBe('failed')
    expect(again.alert).toMatchObject({ state: 'suppressed', webhooks: [] })
    expect(again.alert!.pipeline_run_id).toBeUndefined()
    expect(receiver.received.length).toBe(before)
    const runs = await pipelines.searchRuns({ pipeline: 'retrain' })
    expect(runs.runs).toHaveLength(1)

    now = END + 7 * H
    const later = await monitors.run('retrainer', { endTime: END })
    expect(later.alert).toMatchObject({ state: 'sent' })
    expect(receiver.received.length).toBeGreaterThan(before)
    await eventually(
      async () =>
        (await pipelines.searchRuns({ pipeline: 'retrain' })).runs.every((r) => r.status !== 'running'),
      50,
    )
    expect((await pipelines.searchRuns({ pipeline: 'retrain' })).runs).toHaveLength(2)
  })

  it('does nothing but record a passing run', async () => {
    const before = receiver.received.length
    await monitors.create(monitor('calm', 'calm', { alerts: { webhooks: [receiver.url] } }))
    const run = await monitors.run('calm', { endTime: END })
    expect(run.status).toBe('passed')
    expect(run.alert).toBeUndefined()
    expect(receiver.received.length).toBe(before)
  })

  it('starts a schedule by name, and reports a pipeline that cannot start without failing the run', async () => {
    await pipelines.createSchedule({
      name: 'nightly-retrain',
      spec: (await import('../../pipelines/spec/load.js')).parsePipelineText(
        readFileSync(join(tmp, 'retrain.yaml'), 'utf8'),
      ),
      params: {},
      workdir: tmp,
      cron: '0 3 * * *',
    })
    await monitors.create(
      monitor('by-schedule', 'logs', { alerts: { cooldown: 0, pipeline: { schedule: 'nightly-retrain' } } }),
    )
    const run = await monitors.run('by-schedule', { endTime: END })
    expect(run.alert?.pipeline_run_id).toMatch(/^[0-9a-f]{32}$/)
    const started = await pipelines.getRun(run.alert!.pipeline_run_id!)
    expect(started.run.scheduleName).toBe('nightly-retrain')
    await eventually(async () => (await pipelines.getRun(started.run.runId)).run.status !== 'running', 50)

    await monitors.create(
      monitor('no-such-schedule', 'logs', { alerts: { cooldown: 0, pipeline: { schedule: 'missing' } } }),
    )
    const broken = await monitors.run('no-such-schedule', { endTime: END })
    expect(broken.status).toBe('failed')
    expect(broken.alert).toMatchObject({ state: 'sent' })
    expect(broken.alert!.pipeline_run_id).toBeUndefined()
  })
})

describe("the server's scheduler", () => {
  it('runs a monitor at its cron time and acts on its failure', async () => {
    const before = (await pipelines.searchRuns({ pipeline: 'retrain' })).runs.length
    now = Date.parse('2024-06-02T00:30:00Z')
    await monitors.create(
      monitor('hourly', 'logs', {
        window: '7d',
        schedule: { cron: '0 * * * *' },
        alerts: { cooldown: 0, pipeline: { spec: join(tmp, 'retrain.yaml') } },
      }),
    )
    expect(await server.monitoring.scheduler.tick()).toEqual([])
    now = Date.parse('2024-06-02T01:00:05Z')
    expect(await server.monitoring.scheduler.tick()).toEqual([
      { monitor: 'hourly', fireTime: Date.parse('2024-06-02T01:00:00Z') },
    ])
    await Promise.all([...server.monitoring.scheduler.running.values()])
    const last = (await monitors.get('hourly')).last_run!
    expect(last.status).toBe('failed')
    const run = await server.get('/api/2.0/mlflow/runs/get', { run_id: last.run_id })
    expect(tagsOf(run.json.run)).toMatchObject({
      'cairn.monitor_trigger': 'schedule',
      'cairn.window_end': '2024-06-02T01:00:00.000Z',
      'cairn.alert': 'sent',
    })
    await eventually(
      async () =>
        (await pipelines.searchRuns({ pipeline: 'retrain' })).runs.filter((r) => r.status !== 'running')
          .length > before,
      50,
    )
  })
})

describe('alerter log events', () => {
  it('writes a structured monitor.failed event naming the failed checks', async () => {
    const { Alerter } = await import('./alerter.js')
    const alerter = new Alerter({ claimAlert: async () => true, logger: log.logger, now: () => END })
    await alerter.onFailure(
      {
        monitor: 'm',
        model: { uri: 'models:/m/1', name: 'm', version: '1' },
        status: 'failed',
        runId: 'r',
        experimentId: '1',
        window: { start: END - H, end: END },
        failedChecks: [{ check: 'drift', message: '3 of 4 columns drifted' }],
        metrics: {},
      },
      { webhooks: [], cooldownMs: 0 },
    )
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        event: 'monitor.failed',
        monitor: 'm',
        failedChecks: [{ check: 'drift', message: '3 of 4 columns drifted' }],
        level: 40,
      }),
    )
  })
})

/** Monitors in a real server: definitions over HTTP, runs recorded as tracking runs with the report, no_data, /metrics. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeLogisticModel } from '../../server/serving/test-support/model-fixtures.js'
import { registerFolders, setAlias } from '../../server/serving/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { computeAndStoreProfile } from '../artifacts/model-artifacts.js'
import { readTable } from '../table/read.js'
import { sdk } from '../../server/serving/test-support/registry-fixtures.js'
import type { MonitorReport } from '../report/report-types.js'
import { MonitorsClient } from './client.js'
import { writeReferenceCsv, writeRequests } from './test-support/data.js'
import { feedbackLine, tagsOf, writeLogFile } from './test-support/prediction-logs.js'

const H = 3_600_000
const END = Date.parse('2024-06-01T12:00:00Z')
let server: TestServer
let client: MonitorsClient
let tmp: string
let reference: string
let logs: string

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cairn-monitors-'))
  server = await startTestServer({}, { monitoring: { scheduler: false }, pipelines: { scheduler: false } })
  client = MonitorsClient.forUri(server.url)
  const model = await writeLogisticModel(join(tmp, 'model'), [1, 0, 0], 0)
  const [v] = await registerFolders(server.url, 'churn', [model])
  await setAlias(server.url, 'churn', 'champion', v!)
  reference = join(tmp, 'reference.csv')
  writeReferenceCsv(reference)
  // The server's default log folder for the served model 'churn'.
  logs = join(server.dir, 'predictions', 'churn')
  writeRequests(logs, { start: END - 20 * H, n: 300, everyMs: 60_000, shift: 2, shiftAll: true })
  writeLogFile(
    logs,
    'feedback',
    END - 10 * H,
    Array.from({ length: 200 }, (_, i) => feedbackLine(END - 9 * H, `q${i}`, i % 4 === 0 ? 0 : 1)),
  )
})
afterAll(async () => {
  await server.close()
  rmSync(tmp, { recursive: true, force: true })
})

const base = () => ({
  model: 'models:/churn@champion',
  window: '24h',
  reference: { file: reference },
})

describe('monitor routes', () => {
  it('creates, lists, gets, pauses, resumes and deletes a monitor, hiding webhook secrets', async () => {
    const created = await client.create({
      ...base(),
      name: 'defs',
      schedule: { cron: '0 * * * *' },
      checks: { drift: true },
      alerts: { webhooks: [{ url: 'http://127.0.0.1:9/hook', secret: 'top-secret' }] },
    })
    expect(created.name).toBe('defs')
    expect(created.monitor).toMatchObject({
      model: 'models:/churn@champion',
      window: '1d',
      checks: { drift: { drift_share: 0.5 } },
    })
    expect(JSON.stringify(created)).not.toContain('top-secret')
    expect(created.next_run_time).toBeGreaterThan(0)
    expect((await client.list()).map((m) => m.name)).toContain('defs')
    expect((await client.pause('defs')).paused).toBe(true)
    expect((await client.get('defs')).next_run_time).toBeUndefined()
    expect((await client.resume('defs')).paused).toBe(false)
    await client.delete('defs')
    await expect(client.get('defs')).rejects.toThrow("Monitor 'defs' does not exist.")
  })

  it('refuses a monitor without checks, with a bad window or a bad cron, naming the field', async () => {
    await expect(client.create({ ...base(), name: 'x' })).rejects.toThrow('at least one check')
    await expect(
      client.create({ ...base(), name: 'x', window: 'soon', checks: { drift: true } }),
    ).rejects.toThrow("'window' must be a duration")
    await expect(
      client.create({ ...base(), name: 'x', checks: { drift: { method: 'kl' } } }),
    ).rejects.toThrow("Unknown drift method 'kl' in 'checks.drift.method'")
    await expect(
      client.create({ ...base(), name: 'x', schedule: { cron: '61 * * * *' }, checks: { drift: true } }),
    ).rejects.toThrow('Invalid cron expression')
    await expect(
      client.create({ ...base(), name: 'x', checks: { quality: [{ metric: 'acc', min: 0.8 }] } }),
    ).rejects.toThrow("Unknown quality metric 'acc'")
  })
})

describe('monitor runs', () => {
  it('compares the prediction-log window with the reference and records a run with metrics, tags and the report', async () => {
    await client.create({
      ...base(),
      name: 'drifty',
      checks: {
        drift: { drift_share: 0.5 },
        quality: { checks: [{ metric: 'accuracy', min: 0.9 }], min_labelled: 50 },
      },
    })
    const run = await client.run('drifty', { endTime: END })
    expect(run.status).toBe('failed')
    expect(run.checks.find((c) => c.check === 'drift')).toMatchObject({ status: 'failed' })
    // Ground truth says 1 for 3 of 4 requests while the model said a > 0 on the shifted data.
    expect(run.checks.find((c) => c.check === 'quality')).toMatchObject({ status: 'failed' })
    expect(run.summary['rows.current']).toBe(300)
    expect(run.summary['rows.labelled']).toBe(200)
    expect(run.summary['drift.detected.a']).toBe(1)
    expect(run.summary['drift.share']).toBeGreaterThanOrEqual(0.5)

    const found = await server.post('/api/2.0/mlflow/runs/search', {
      experiment_ids: [run.experiment_id],
      filter: `tags."cairn.monitor" = 'drifty' and metrics."drift.share" >= 0.5`,
    })
    expect(found.json.runs).toHaveLength(1)
    const recorded = found.json.runs[0]
    const tags = tagsOf(recorded)
    expect(tags).toMatchObject({
      'cairn.run_kind': 'monitor',
      'cairn.monitor_status': 'failed',
      'cairn.model_uri': 'models:/churn@champion',
      'cairn.model_name': 'churn',
      'cairn.model_version': '1',
    })
    const experiment = await server.get('/api/2.0/mlflow/experiments/get', {
      experiment_id: run.experiment_id,
    })
    expect(experiment.json.experiment.name).toBe('cairn-monitoring')
    const files = await server.get('/api/2.0/mlflow/artifacts/list', { run_id: run.run_id, path: 'report' })
    expect((files.json.files as { path: string }[]).map((f) => f.path).sort()).toEqual([
      'report/report.html',
      'report/report.json',
    ])
    const html = await (
      await server.fetch(`/get-artifact?run_id=${run.run_id}&path=report/report.html`)
    ).text()
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/)
  })

  it("uses the version's stored reference profile and expectations when the monitor names no file", async () => {
    await computeAndStoreProfile(sdk(server.url), { name: 'churn', version: '1' }, await readTable(reference))
    await client.create({
      name: 'profiled',
      model: 'models:/churn@champion',
      window: '24h',
      checks: {
        drift: true,
        validation: { max_failures: 0 },
        quality: { checks: [{ metric: 'f1', min: 0.5 }, { metric: 'auc' }], min_labelled: 50 },
      },
    })
    const run = await client.run('profiled', { endTime: END })
    expect(run.status).toBe('failed')
    expect(run.checks.map((c) => [c.check, c.status])).toEqual([
      ['drift', 'failed'],
      ['validation', 'failed'],
      ['quality', 'passed'],
    ])
    // The shifted window leaves the reference's observed ranges: range expectations fail.
    expect(run.summary['validation.failures']).toBeGreaterThan(0)
    expect(run.summary['rows.reference']).toBe(400)
    expect(run.summary['quality.auc']).toBeGreaterThan(0)
    expect(run.summary['quality.f1']).toBeGreaterThan(0.5)
    const report = (await (
      await server.fetch(`/get-artifact?run_id=${run.run_id}&path=report/report.json`)
    ).json()) as MonitorReport
    expect(report.reference.source).toContain('models:/churn@champion reference profile')
    expect(report.validation!.results.some((r) => !r.passed && r.column === 'a')).toBe(true)
  })

  it('calls an empty window no_data, not a pass, and says why', async () => {
    await client.create({ ...base(), name: 'quiet', window: '1h', checks: { drift: true } })
    const run = await client.run('quiet', { endTime: END + 48 * H })
    expect(run.status).toBe('no_data')
    expect(run.message).toContain('no predictions between')
    expect((await client.get('quiet')).last_run).toMatchObject({ status: 'no_data', run_id: run.run_id })
  })

  it('records an error run when the model cannot be resolved', async () => {
    await client.create({ ...base(), model: 'models:/nope@champion', name: 'lost', checks: { drift: true } })
    const run = await client.run('lost', { endTime: END })
    expect(run.status).toBe('error')
    expect(run.message).toContain('name=nope not found')
    const info = await server.get('/api/2.0/mlflow/runs/get', { run_id: run.run_id })
    expect(info.json.run.info.status).toBe('FAILED')
  })

  it("exports the last runs' drift, quality and status on /metrics", async () => {
    await client.run('drifty', { endTime: END })
    const text = await (await server.fetch('/metrics')).text()
    expect(text).toMatch(/cairn_monitor_drift_score\{monitor="drifty",model="churn",column="a"\} [0-9.e-]+/)
    expect(text).toContain('cairn_monitor_column_drift{monitor="drifty",model="churn",column="a"} 1')
    expect(text).toContain('cairn_monitor_dataset_drift{monitor="drifty",model="churn"} 1')
    expect(text).toMatch(/cairn_monitor_quality\{monitor="drifty",model="churn",metric="accuracy"\} 0\.\d+/)
    expect(text).toContain('cairn_monitor_failing{monitor="drifty",model="churn"} 1')
    expect(text).toContain('cairn_monitor_status{monitor="quiet",model="churn",status="no_data"} 1')
    expect(text).toMatch(/cairn_monitor_runs_total\{monitor="drifty",status="failed"\} [1-9]/)
    // Serving's series are on the same page.
    expect(text).toContain('cairn_process_cpu_seconds_total')
  })
})

/**
 * A real Prometheus (Debian's package; scripts/test-deps.sh installs it) scrapes a running
 * `cairn server` and a `cairn serve` model server; its HTTP API must then hold the serving series
 * (traffic, errors, latency, versions) and the monitors' (drift, validation, live quality,
 * status). The example alerting rules are loaded by it and checked and unit-tested with promtool;
 * every query of the Grafana dashboard must run.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MonitorsClient } from '../../src/monitoring/monitors/client.js'
import { normal, rng } from '../../src/monitoring/monitors/test-support/data.js'
import { writeLogisticModel } from '../../src/server/serving/test-support/model-fixtures.js'
import {
  eventually,
  registerFolders,
  setAlias,
} from '../../src/server/serving/test-support/registry-fixtures.js'
import { startTestServe, type TestServe } from '../../src/server/serving/test-support/serve-harness.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

const DEPLOY = resolve(import.meta.dirname, '../../deploy')
const PROMETHEUS = '/usr/bin/prometheus'
const PROMTOOL = '/usr/bin/promtool'

let tmp: string
let server: TestServer
let serve: TestServe
let prometheus: ChildProcess | null = null
let promUrl = ''

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

const hostPort = (url: string): string => new URL(url).host

interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

async function query(expr: string): Promise<{ status: string; error?: string; result: Sample[] }> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } }
  return {
    status: body.status,
    result: body.data?.result ?? [],
    ...(body.error ? { error: body.error } : {}),
  }
}

beforeAll(async () => {
  expect(existsSync(PROMETHEUS), `${PROMETHEUS} is missing: run scripts/test-deps.sh`).toBe(true)
  tmp = mkdtempSync(join(tmpdir(), 'cairn-prometheus-'))
  server = await startTestServer({}, { monitoring: { scheduler: false }, pipelines: { scheduler: false } })
  const [v] = await registerFolders(server.url, 'lr', [await writeLogisticModel(join(tmp, 'lr'), [1, -1], 0)])
  await setAlias(server.url, 'lr', 'champion', v!)
  serve = await startTestServe('models:/lr@champion', { trackingUri: server.url, pollInterval: '0' })

  // Traffic with a shift in f0, some ground truth, and a refused request.
  const r = rng(5)
  for (let i = 0; i < 60; i++) {
    const f0 = normal(r, 2)
    const f1 = normal(r)
    const a = await serve.post(
      '/invocations',
      { dataframe_records: [{ f0, f1 }] },
      { 'X-Request-Id': `req-${i}` },
    )
    expect(a.status).toBe(200)
    if (i % 2 === 0) await serve.post('/feedback', { request_id: `req-${i}`, ground_truth: f0 > f1 ? 1 : 0 })
  }
  expect((await serve.post('/invocations', { dataframe_records: [{ f0: 'x', f1: 1 }] })).status).toBe(400)
  const lines = [
    'f0,f1',
    ...Array.from({ length: 300 }, () => `${normal(r).toFixed(4)},${normal(r).toFixed(4)}`),
  ]
  writeFileSync(join(tmp, 'reference.csv'), lines.join('\n') + '\n')
  const logDir = join(serve.home, 'predictions', 'lr')
  // The log is written off the request path: wait until every request is on disk.
  const logged = (): number =>
    existsSync(logDir)
      ? readdirSync(logDir)
          .filter((f) => f.startsWith('predictions-'))
          .reduce(
            (n, f) =>
              n +
              readFileSync(join(logDir, f), 'utf8')
                .split('\n')
                .filter((l) => l !== '').length,
            0,
          )
      : 0
  await eventually(() => logged() >= 60, 50)

  const monitors = MonitorsClient.forUri(server.url)
  await monitors.create({
    name: 'lr-live',
    model: 'models:/lr@champion',
    window: '1h',
    current: { prediction_log: { dir: logDir } },
    reference: { file: join(tmp, 'reference.csv') },
    checks: { drift: true, validation: true, quality: [{ metric: 'accuracy', min: 0.5 }] },
  })
  const run = await monitors.run('lr-live')
  expect(run.summary['rows.current']).toBe(60)

  const port = await freePort()
  promUrl = `http://127.0.0.1:${port}`
  writeFileSync(join(tmp, 'alerts.yml'), readFileSync(join(DEPLOY, 'prometheus/alerts.yml')))
  writeFileSync(
    join(tmp, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [alerts.yml]
scrape_configs:
  - job_name: cairn-server
    static_configs: [{ targets: ['${hostPort(server.url)}'] }]
  - job_name: cairn-serve
    static_configs: [{ targets: ['${hostPort(serve.url)}'] }]
`,
  )
  const log = openSync(join(tmp, 'prometheus.log'), 'w')
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', log, log] },
  )
  await eventually(async () => {
    if (prometheus!.exitCode !== null)
      throw new Error(`prometheus exited: ${readFileSync(join(tmp, 'prometheus.log'), 'utf8')}`)
    return fetch(`${promUrl}/-/ready`).then(
      (r) => r.ok,
      () => false,
    )
  }, 200)
}, 120_000)

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r))
    prometheus.kill('SIGTERM')
    await exited
  }
  await serve?.close()
  await server?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('a real Prometheus scraping cairn server and cairn serve', () => {
  it('has both targets up and every serving and monitoring series named in docs/monitoring.md', async () => {
    const wanted = [
      'up{job="cairn-server"} == 1',
      'up{job="cairn-serve"} == 1',
      'cairn_serving_requests_total{job="cairn-serve",model="lr",route="invocations",status="200"}',
      'cairn_serving_errors_total{job="cairn-serve",model="lr",status="400"}',
      'cairn_serving_request_duration_seconds_bucket{job="cairn-serve",model="lr"}',
      'cairn_serving_model_info{job="cairn-serve",model="lr",version="1",role="primary"}',
      'cairn_monitor_drift_score{job="cairn-server",monitor="lr-live",model="lr",column="f0"}',
      'cairn_monitor_column_drift{monitor="lr-live",column="f0"}',
      'cairn_monitor_drift_share{monitor="lr-live"}',
      'cairn_monitor_dataset_drift{monitor="lr-live"}',
      'cairn_monitor_validation_failures{monitor="lr-live"}',
      'cairn_monitor_quality{monitor="lr-live",model="lr",metric="accuracy"}',
      'cairn_monitor_labelled_rows{monitor="lr-live"} == 30',
      'cairn_monitor_status{monitor="lr-live"}',
      'cairn_monitor_runs_total{monitor="lr-live"}',
    ]
    const missing = new Set(wanted)
    await eventually(async () => {
      for (const expr of [...missing]) if ((await query(expr)).result.length > 0) missing.delete(expr)
      return missing.size === 0
    }, 500)
    expect([...missing]).toEqual([])
    const served = await query('cairn_serving_requests_total{job="cairn-serve",model="lr",status="200"}')
    expect(Number(served.result[0]!.value[1])).toBe(60)
    const drift = await query('cairn_monitor_column_drift{monitor="lr-live",column="f0"}')
    expect(drift.result[0]!.value[1]).toBe('1')
  }, 120_000)

  it('loads the example alerting rules and fires the drift alert', async () => {
    await eventually(
      async () => (await query('ALERTS{alertname="CairnDatasetDrift",monitor="lr-live"}')).result.length > 0,
      500,
    )
    const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string; health: string }[] }[] }
    }
    const rules = res.data.groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['CairnDatasetDrift', 'CairnServingErrorRate', 'CairnModelAccuracyLow']),
    )
    expect(rules.filter((r) => r.health === 'err')).toEqual([])
  }, 60_000)

  it('runs every query of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/cairn-dashboard.json'), 'utf8')) as {
      panels: { title: string; type: string; targets?: { expr: string }[] }[]
    }
    const exprs = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    )
    expect(exprs.length).toBeGreaterThan(15)
    const failures: string[] = []
    for (const { panel, expr } of exprs) {
      const q = expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$model', '.*')
        .replaceAll('$monitor', '.*')
      const answer = await query(q)
      if (answer.status !== 'success') failures.push(`${panel}: ${answer.error}`)
    }
    expect(failures).toEqual([])
    // The panels of the named series show data.
    for (const title of ['Requests per second', 'Drift score by column', 'Quality', 'Dataset drift']) {
      const t = exprs.find((e) => e.panel === title)!
      const q = t.expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$model', '.*')
        .replaceAll('$monitor', '.*')
      await eventually(async () => (await query(q)).result.length > 0, 500)
    }
  }, 60_000)
})

describe('promtool', () => {
  it('checks the example rules and configuration and passes the rules unit tests', () => {
    const run = (args: string[]): string =>
      execFileSync(PROMTOOL, args, { cwd: join(DEPLOY, 'prometheus'), encoding: 'utf8' })
    expect(run(['check', 'rules', 'alerts.yml'])).toContain('SUCCESS')
    expect(run(['check', 'config', 'prometheus.yml'])).toContain('SUCCESS')
    expect(run(['test', 'rules', 'alerts.test.yml'])).toContain('SUCCESS')
  })
})

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeReferenceCsv, writeRequests } from '../../monitoring/monitors/test-support/data.js'
import { writeLogisticModel } from '../../server/serving/test-support/model-fixtures.js'
import { registerFolders, setAlias } from '../../server/serving/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

const H = 3_600_000
let server: TestServer
let dir: string
let reference: string
const cli = (...args: string[]) => runCli([...args, '--tracking-uri', server.url])

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-monitor-'))
  server = await startTestServer({}, { monitoring: { scheduler: false }, pipelines: { scheduler: false } })
  const [v] = await registerFolders(server.url, 'churn', [
    await writeLogisticModel(join(dir, 'model'), [1, 0, 0], 0),
  ])
  await setAlias(server.url, 'churn', 'champion', v!)
  reference = join(dir, 'reference.csv')
  writeReferenceCsv(reference)
  writeRequests(join(dir, 'shifted'), {
    start: Date.now() - 5 * H,
    n: 200,
    everyMs: 60_000,
    shift: 3,
    shiftAll: true,
  })
  writeReferenceCsv(join(dir, 'same.csv'), 300, 11)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('cairn monitor', () => {
  it('add, list, get, run (exit 1 on drift), pause, resume and delete', async () => {
    const add = await cli(
      'monitor',
      'add',
      'churn-drift',
      '--model',
      'models:/churn@champion',
      '--window',
      '24h',
      '--cron',
      '0 * * * *',
      '--reference',
      reference,
      '--prediction-log',
      join(dir, 'shifted'),
      '--drift-share',
      '0.3',
    )
    expect(add.stderr).toBe('')
    expect(add.code).toBe(0)
    expect(add.stdout).toMatch(/^monitor churn-drift on models:\/churn@champion: next run /)

    const list = await cli('monitor', 'list')
    expect(list.stdout).toMatch(/churn-drift\s+models:\/churn@champion\s+1d\s+0 \* \* \* \*\s+active/)

    const run = await cli('monitor', 'run', 'churn-drift')
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^monitor churn-drift: failed\s+\(run [0-9a-f]{32}\)/)
    expect(run.stdout).toMatch(/failed\s+drift: \d of 3 columns drifted/)
    expect(run.stdout).toContain('rows.current=200')

    const got = await cli('monitor', 'get', 'churn-drift', '--json')
    expect(JSON.parse(got.stdout)).toMatchObject({ name: 'churn-drift', last_run: { status: 'failed' } })
    expect((await cli('monitor', 'pause', 'churn-drift')).stdout).toBe('monitor churn-drift paused\n')
    expect((await cli('monitor', 'resume', 'churn-drift')).stdout).toMatch(/resumed; next run/)
    expect((await cli('monitor', 'delete', 'churn-drift')).stdout).toBe('monitor churn-drift deleted\n')
    const gone = await cli('monitor', 'get', 'churn-drift')
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain("Monitor 'churn-drift' does not exist.")
  })

  it('adds a monitor from a YAML file and runs it to a pass (exit 0)', async () => {
    const file = join(dir, 'calm.yaml')
    writeFileSync(
      file,
      `name: calm
model: models:/churn@champion
window: 7d
current: { file: ${join(dir, 'same.csv')} }
reference: { file: ${reference} }
checks:
  drift: { drift_share: 0.5 }
`,
    )
    expect((await cli('monitor', 'add', file)).code).toBe(0)
    const run = await cli('monitor', 'run', 'calm')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^monitor calm: passed/)
  })
})

describe('cairn monitor report', () => {
  it('writes report.json and an offline report.html, and exits 1 when the data drifted', async () => {
    const out = join(dir, 'report-shifted')
    const r = await cli(
      'monitor',
      'report',
      'models:/churn@champion',
      '--window',
      '24h',
      '--prediction-log',
      join(dir, 'shifted'),
      '--reference',
      reference,
      '--out',
      out,
    )
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('drift:')
    expect(r.stdout).toContain(`wrote ${join(out, 'report.html')}`)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))
    expect(report).toMatchObject({
      version: 1,
      status: 'failed',
      model: { uri: 'models:/churn@champion', name: 'churn', version: '1' },
      current: { rows: 200 },
      reference: { rows: 400 },
      drift: { datasetDrift: true },
    })
    const columns = report.drift.columns as {
      column: string
      histogram: unknown
      score: number
      threshold: number
    }[]
    expect(columns.map((c) => c.column).sort()).toEqual(['a', 'b', 'c'])
    expect(columns.every((c) => c.histogram !== null)).toBe(true)
    const html = readFileSync(join(out, 'report.html'), 'utf8')
    expect(html.startsWith('<!doctype html>')).toBe(true)
    for (const c of ['a', 'b', 'c']) expect(html).toContain(`data-col="${c}"`)
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3)
    // Nothing is loaded from anywhere: no external scripts, styles, images or URLs but SVG's namespace.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/)
    expect(html.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')).not.toMatch(/https?:\/\//)
  })

  it('compares any dataset file with --current and prints the report with --json', async () => {
    const r = await cli(
      'monitor',
      'report',
      'models:/churn@champion',
      '--current',
      join(dir, 'same.csv'),
      '--reference',
      reference,
      '--out',
      join(dir, 'report-same'),
      '--json',
    )
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.status).toBe('passed')
    expect(report.window).toBeNull()
    expect(report.current).toEqual({ source: join(dir, 'same.csv'), rows: 300 })
    expect(existsSync(join(dir, 'report-same', 'report.html'))).toBe(true)
  })

  it('works without a reachable server when the data are files', async () => {
    const r = await runCli([
      'monitor',
      'report',
      'models:/churn@champion',
      '--current',
      join(dir, 'same.csv'),
      '--reference',
      reference,
      '--out',
      join(dir, 'report-offline'),
      '--tracking-uri',
      'http://127.0.0.1:9',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'report-offline', 'report.json'), 'utf8')).model).toEqual({
      uri: 'models:/churn@champion',
      name: 'churn',
      version: null,
    })
  })

  it('says what is missing when there is no reference', async () => {
    const r = await cli(
      'monitor',
      'report',
      'models:/churn@champion',
      '--current',
      join(dir, 'same.csv'),
      '--out',
      join(dir, 'x'),
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('has no reference data')
  })
})

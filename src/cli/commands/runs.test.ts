import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../client/index.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'
import { goalFor } from './runs-compare.js'

let server: TestServer
let experimentId: string
/** run name → run id */
const ids: Record<string, string> = {}

beforeAll(async () => {
  server = await startTestServer()
  const client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  experimentId = await client.createExperiment('cli-runs')
  const specs = [
    { name: 'sgd-fast', lr: '0.1', opt: 'sgd', acc: 0.81, loss: 0.52 },
    { name: 'adam-slow', lr: '0.001', opt: 'adam', acc: 0.93, loss: 0.21 },
    { name: 'adam-mid', lr: '0.01', opt: 'adam', acc: 0.88, loss: 0.3 },
  ]
  for (const s of specs) {
    const run = await client.startRun({
      experimentId,
      runName: s.name,
      tags: { owner: s.opt === 'sgd' ? 'ann' : 'bob' },
    })
    await run.logParams({ lr: s.lr, optimizer: s.opt, epochs: 10 })
    await run.logMetrics({ acc: s.acc - 0.1, loss: s.loss + 0.1 }, 0)
    await run.logMetrics({ acc: s.acc, loss: s.loss }, 1)
    await run.endRun()
    ids[s.name] = run.runId
  }
})
afterAll(async () => {
  await server.close()
})

const lines = (text: string): string[] => text.trimEnd().split('\n')

/** Splits a table row into cells (cells are separated by two or more spaces). */
const cells = (row: string): string[] => row.trim().split(/\s{2,}/)

describe('cairn runs list', () => {
  it('prints short id, name, status and start time, plus varying params and common metrics', async () => {
    const res = await runCli(['runs', 'list', '--tracking-uri', server.url, '--experiment', 'cli-runs'])
    expect(res).toMatchObject({ code: 0, stderr: '' })
    const [header, rule, ...rows] = lines(res.stdout)
    expect(cells(header!)).toEqual([
      'Run ID',
      'Name',
      'Status',
      'Started',
      'params.lr',
      'params.optimizer',
      'metrics.acc',
      'metrics.loss',
    ])
    expect(rule!.split(/ +/)).toHaveLength(8)
    expect(rows).toHaveLength(3)
    const byName = Object.fromEntries(rows.map((r) => [cells(r)[1], cells(r)]))
    expect(byName['adam-slow']).toEqual([
      ids['adam-slow']!.slice(0, 8),
      'adam-slow',
      'FINISHED',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      '0.001',
      'adam',
      '0.93',
      '0.21',
    ])
    // Metrics are right-aligned: every row ends at the same column.
    expect(new Set(rows.map((r) => r.length)).size).toBe(1)
  })

  it('takes the experiment by id, orders, and shows the chosen columns', async () => {
    const res = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      experimentId,
      '--order-by',
      'metrics.acc DESC',
      '--columns',
      'params.lr,metrics.acc',
      '--columns',
      'tags.owner',
    ])
    expect(res.code).toBe(0)
    const [header, , ...rows] = lines(res.stdout)
    expect(cells(header!)).toEqual([
      'Run ID',
      'Name',
      'Status',
      'Started',
      'params.lr',
      'metrics.acc',
      'tags.owner',
    ])
    expect(rows.map((r) => cells(r)[1])).toEqual(['adam-slow', 'adam-mid', 'sgd-fast'])
    expect(rows.map((r) => cells(r).slice(4))).toEqual([
      ['0.001', '0.93', 'bob'],
      ['0.01', '0.88', 'bob'],
      ['0.1', '0.81', 'ann'],
    ])
  })

  it('filters with the search language', async () => {
    const res = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      'cli-runs',
      '--filter',
      "params.optimizer = 'adam' and metrics.loss < 0.25",
      '--json',
    ])
    expect(res.stderr).toBe('')
    expect(JSON.parse(res.stdout).runs.map((r: { info: { runName: string } }) => r.info.runName)).toEqual([
      'adam-slow',
    ])
  })

  it('prints runs as JSON, and says on stderr when --max-results cut the list', async () => {
    const res = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      'cli-runs',
      '--json',
      '--max-results',
      '2',
    ])
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(json.experimentIds).toEqual([experimentId])
    expect(json.runs).toHaveLength(2)
    expect(json.runs[0].data.params).toEqual(expect.arrayContaining([{ key: 'epochs', value: '10' }]))
    expect(json.nextPageToken).toEqual(expect.any(String))
    const table = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      'cli-runs',
      '--max-results',
      '2',
    ])
    expect(lines(table.stdout)).toHaveLength(4)
    expect(table.stderr).toContain('first 2 runs shown')
  })

  it('exits 1 for an unknown experiment and 2 for bad arguments', async () => {
    const unknown = await runCli(['runs', 'list', '--tracking-uri', server.url, '-e', 'no-such'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("no experiment named or numbered 'no-such'")
    const missing = await runCli(['runs', 'list', '--tracking-uri', server.url])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--experiment')
    const badColumn = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      'cli-runs',
      '--columns',
      'lr',
    ])
    expect(badColumn.code).toBe(2)
    expect(badColumn.stderr).toContain("unknown column 'lr'")
    const badMax = await runCli([
      'runs',
      'list',
      '--tracking-uri',
      server.url,
      '-e',
      'cli-runs',
      '--max-results',
      '0',
    ])
    expect(badMax.code).toBe(2)
  })

  it('has --help', async () => {
    const res = await runCli(['runs', 'list', '--help'])
    expect(res.code).toBe(0)
    for (const flag of [
      '--experiment',
      '--filter',
      '--order-by',
      '--columns',
      '--max-results',
      '--json',
      '--tracking-uri',
    ]) {
      expect(res.stdout).toContain(flag)
    }
  })
})

describe('cairn runs compare', () => {
  it('puts params side by side marking the rows that differ, and marks the best latest metric', async () => {
    const res = await runCli([
      'runs',
      'compare',
      '--tracking-uri',
      server.url,
      ids['sgd-fast']!,
      ids['adam-slow']!,
    ])
    expect(res).toMatchObject({ code: 0, stderr: '' })
    const out = lines(res.stdout)
    expect(cells(out[0]!)).toEqual(['Key', ids['sgd-fast']!.slice(0, 8), ids['adam-slow']!.slice(0, 8)])
    const row = (key: string) => out.find((l) => cells(l).includes(key) || cells(l)[1] === key)!
    expect(cells(row('name'))).toEqual(['name', 'sgd-fast', 'adam-slow'])
    expect(cells(row('lr'))).toEqual(['*', 'lr', '0.1', '0.001'])
    expect(cells(row('optimizer'))).toEqual(['*', 'optimizer', 'sgd', 'adam'])
    expect(cells(row('epochs'))).toEqual(['epochs', '10', '10'])
    expect(cells(row('acc (max)'))).toEqual(['acc (max)', '0.81', '0.93 (best)'])
    expect(cells(row('loss (min)'))).toEqual(['loss (min)', '0.52', '0.21 (best)'])
    expect(out.indexOf('Params')).toBeLessThan(out.indexOf('Metrics (latest value)'))
    expect(res.stdout).not.toContain('owner')
  })

  it('accepts the short ids runs list prints, and compares tags with --tags', async () => {
    const short = [ids['sgd-fast']!.slice(0, 8), ids['adam-mid']!.slice(0, 8)]
    const res = await runCli(['runs', 'compare', '--tracking-uri', server.url, ...short, '--tags'])
    expect(res.code).toBe(0)
    const owner = lines(res.stdout).find((l) => l.includes('owner'))!
    expect(cells(owner)).toEqual(['*', 'owner', 'ann', 'bob'])
    expect(res.stdout).not.toContain('mlflow.user')
  })

  it('prints the comparison as JSON', async () => {
    const res = await runCli([
      'runs',
      'compare',
      '--tracking-uri',
      server.url,
      ids['adam-mid']!,
      ids['adam-slow']!,
      '--minimize',
      'acc',
      '--json',
    ])
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(json.runs.map((r: { runName: string }) => r.runName)).toEqual(['adam-mid', 'adam-slow'])
    expect(json.params.find((p: any) => p.key === 'optimizer')).toEqual({
      key: 'optimizer',
      values: { [ids['adam-mid']!]: 'adam', [ids['adam-slow']!]: 'adam' },
      differs: false,
    })
    expect(json.metrics.find((m: any) => m.key === 'acc')).toMatchObject({
      goal: 'min',
      best: [ids['adam-mid']],
    })
    expect(json.metrics.find((m: any) => m.key === 'loss')).toMatchObject({
      goal: 'min',
      best: [ids['adam-slow']],
    })
  })

  it('exits 1 for an unknown run and 2 without run ids', async () => {
    const unknown = await runCli([
      'runs',
      'compare',
      '--tracking-uri',
      server.url,
      '0123456789abcdef0123456789abcdef',
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("run '0123456789abcdef0123456789abcdef' not found")
    const prefix = await runCli(['runs', 'compare', '--tracking-uri', server.url, 'ffffffff'])
    expect(prefix.code).toBe(1)
    expect(prefix.stderr).toContain("no run id starts with 'ffffffff'")
    const none = await runCli(['runs', 'compare', '--tracking-uri', server.url])
    expect(none.code).toBe(2)
  })

  it('has --help', async () => {
    const res = await runCli(['runs', 'compare', '--help'])
    expect(res.code).toBe(0)
    for (const flag of ['--tags', '--minimize', '--maximize', '--json', '--tracking-uri'])
      expect(res.stdout).toContain(flag)
  })
})

describe('goalFor', () => {
  it('guesses lower-is-better from loss and error names, higher otherwise, and obeys overrides', () => {
    for (const key of ['loss', 'val_loss', 'train/loss', 'rmse', 'mean_abs_error', 'latency_ms', 'valLoss']) {
      expect(goalFor(key, { minimize: [], maximize: [] })).toBe('min')
    }
    for (const key of ['acc', 'accuracy', 'f1', 'auc', 'lossless_ratio']) {
      expect(goalFor(key, { minimize: [], maximize: [] })).toBe('max')
    }
    expect(goalFor('loss', { minimize: [], maximize: ['loss'] })).toBe('max')
    expect(goalFor('acc', { minimize: ['acc'], maximize: [] })).toBe('min')
  })
})

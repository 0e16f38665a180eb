import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../client/index.js'
import { TRACKING_API } from '../../protocol/tracking-api.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let deletedId: string

beforeAll(async () => {
  server = await startTestServer()
  const client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  await client.createExperiment('vision-mnist', { tags: { team: 'vision' } })
  await client.createExperiment('nlp-sentiment', { tags: { team: 'nlp' } })
  deletedId = await client.createExperiment('old-stuff')
  await client.http.call(TRACKING_API.deleteExperiment, { experiment_id: deletedId })
})
afterAll(async () => {
  await server.close()
})

const lines = (text: string): string[] => text.trimEnd().split('\n')

describe('cairn experiments list', () => {
  it('prints an aligned table of active experiments', async () => {
    const res = await runCli(['experiments', 'list', '--tracking-uri', server.url])
    expect(res).toMatchObject({ code: 0, stderr: '' })
    const [header, rule, ...rows] = lines(res.stdout)
    expect(header).toMatch(/^ID\s+Name\s+Created\s+Artifact Location$/)
    expect(rule).toMatch(/^-+( +-+)+$/)
    expect(rows).toHaveLength(3)
    const nameAt = header!.indexOf('Name')
    for (const row of rows) expect(row[nameAt - 1]).toBe(' ')
    expect(rows.map((r) => r.slice(nameAt).split(/\s{2,}/)[0])).toEqual(
      expect.arrayContaining(['Default', 'vision-mnist', 'nlp-sentiment']),
    )
    expect(res.stdout).not.toContain('old-stuff')
    expect(res.stdout).not.toContain('\u001b[')
  })

  it('shows deleted experiments with their stage when asked', async () => {
    const res = await runCli(['experiments', 'list', '--tracking-uri', server.url, '--view', 'deleted'])
    expect(res.code).toBe(0)
    const [header, , ...rows] = lines(res.stdout)
    expect(header).toContain('Stage')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatch(new RegExp(`^\\s*${deletedId}\\s+old-stuff\\s+deleted\\s`))
  })

  it('prints JSON with --json', async () => {
    const res = await runCli(['experiments', 'list', '--tracking-uri', server.url, '--view', 'all', '--json'])
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(json.experiments).toHaveLength(4)
    expect(json.experiments.find((e: any) => e.name === 'vision-mnist')).toMatchObject({
      lifecycleStage: 'active',
      tags: [{ key: 'team', value: 'vision' }],
    })
  })

  it('filters and orders with the search language', async () => {
    const res = await runCli([
      'experiments',
      'list',
      '--tracking-uri',
      server.url,
      '--filter',
      "tags.team = 'vision' OR name LIKE 'nlp%'",
      '--order-by',
      'name ASC',
      '--json',
    ])
    expect(res.stderr).toBe('')
    expect(JSON.parse(res.stdout).experiments.map((e: { name: string }) => e.name)).toEqual([
      'nlp-sentiment',
      'vision-mnist',
    ])
  })

  it('reads the tracking URI from CAIRN_TRACKING_URI', async () => {
    const saved = process.env['CAIRN_TRACKING_URI']
    process.env['CAIRN_TRACKING_URI'] = server.url
    try {
      const res = await runCli(['experiments', 'list', '--json'])
      expect(res.code).toBe(0)
      expect(JSON.parse(res.stdout).experiments.length).toBe(3)
    } finally {
      if (saved === undefined) delete process.env['CAIRN_TRACKING_URI']
      else process.env['CAIRN_TRACKING_URI'] = saved
    }
  })

  it('exits 2 on a bad argument and 1 when the server refuses the request', async () => {
    const bad = await runCli(['experiments', 'list', '--tracking-uri', server.url, '--view', 'sideways'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("argument 'sideways' is invalid")
    const badUri = await runCli(['experiments', 'list', '--tracking-uri', 'file:///tmp/mlruns'])
    expect(badUri.code).toBe(2)
    expect(badUri.stderr).toContain('http://')
    const refused = await runCli([
      'experiments',
      'list',
      '--tracking-uri',
      server.url,
      '--filter',
      'name >>> 3',
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^cairn: INVALID_PARAMETER_VALUE: /)
    expect(refused.stdout).toBe('')
  })

  it('explains an unreachable server and exits 1', async () => {
    const res = await runCli(['experiments', 'list', '--tracking-uri', 'http://127.0.0.1:1'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('cannot reach the tracking server at http://127.0.0.1:1')
  })

  it('has --help', async () => {
    const res = await runCli(['experiments', 'list', '--help'])
    expect(res.code).toBe(0)
    for (const flag of ['--view', '--filter', '--order-by', '--json', '--tracking-uri'])
      expect(res.stdout).toContain(flag)
  })
})

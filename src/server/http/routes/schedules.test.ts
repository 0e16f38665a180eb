import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PipelinesClient } from '../../../pipelines/client.js'
import { parsePipelineText } from '../../../pipelines/spec/load.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

let server: TestServer
let client: PipelinesClient
let dir: string
let now = Date.parse('2024-03-01T00:00:00Z')
const clock = { now: () => now }

beforeAll(async () => {
  server = await startTestServer({}, { pipelines: { scheduler: false, clock } })
  client = PipelinesClient.forUri(server.url)
  dir = mkdtempSync(join(tmpdir(), 'cairn-sched-routes-'))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const spec = () =>
  parsePipelineText(`
name: stamp
params: { label: { type: string, default: x } }
steps:
  - { name: stamp, command: "echo {{params.label}} >> stamps.txt" }
`)

describe('schedule routes', () => {
  it('creates a schedule, lists it with its next fire time, pauses, resumes and deletes it', async () => {
    const created = await client.createSchedule({
      name: 'daily',
      spec: spec(),
      params: {},
      workdir: dir,
      cron: '0 6 * * 1-5',
      timezone: 'Europe/Paris',
    })
    expect(created).toMatchObject({
      name: 'daily',
      pipeline: 'stamp',
      max_concurrent: 1,
      catchup: false,
      paused: false,
      backend: 'local',
      params: { label: 'x' },
    })
    expect(new Date(created.next_fire_time!).toISOString()).toBe('2024-03-01T05:00:00.000Z')
    expect((await client.listSchedules()).map((s) => s.name)).toEqual(['daily'])
    const paused = await client.pauseSchedule('daily')
    expect(paused.paused).toBe(true)
    expect(paused.next_fire_time).toBeUndefined()
    expect((await client.resumeSchedule('daily')).paused).toBe(false)
    await client.deleteSchedule('daily')
    await expect(client.getSchedule('daily')).rejects.toThrow("Schedule 'daily' does not exist.")
  })

  it('refuses a bad cron, an unknown time zone, a bad parameter and the kubernetes backend, saying why', async () => {
    const base = { name: 'bad', spec: spec(), params: {}, workdir: dir }
    await expect(client.createSchedule({ ...base, cron: '0 25 * * *' })).rejects.toThrow(
      "Invalid cron expression '0 25 * * *'",
    )
    await expect(
      client.createSchedule({ ...base, cron: '0 6 * * *', timezone: 'Nowhere/City' }),
    ).rejects.toThrow("Unknown time zone 'Nowhere/City'")
    await expect(
      client.createSchedule({ ...base, cron: '0 6 * * *', params: { lable: 'y' } }),
    ).rejects.toThrow("has no parameter 'lable' (did you mean 'label'?)")
    await expect(
      client.createSchedule({ ...base, cron: '0 6 * * *', backend: 'kubernetes' }),
    ).rejects.toThrow('not available yet')
    await expect(
      client.createSchedule({ ...base, spec: { name: 'x', steps: [] }, cron: '0 6 * * *' }),
    ).rejects.toThrow('at least one step')
  })

  it('fires the pipeline from the embedded scheduler at its time, recorded as a scheduled run', async () => {
    await client.createSchedule({
      name: 'stamper',
      spec: spec(),
      params: { label: 'scheduled' },
      workdir: dir,
      cron: '0 6 * * *',
    })
    now = Date.parse('2024-03-01T06:00:05Z')
    const report = await server.pipelines.scheduler.tick()
    expect(report.fired).toHaveLength(1)
    const runId = report.fired[0]!.runId
    for (let i = 0; i < 200; i++) {
      if ((await client.getRun(runId)).run.status !== 'running') break
      await new Promise((r) => setTimeout(r, 25))
    }
    const { run } = await client.getRun(runId)
    expect(run).toMatchObject({
      status: 'succeeded',
      scheduleName: 'stamper',
      orchestrator: server.pipelines.instance,
    })
    expect(readFileSync(join(dir, 'stamps.txt'), 'utf8')).toBe('scheduled\n')
    const tracked = await server.get('/api/2.0/mlflow/runs/get', { run_id: runId })
    const tags = Object.fromEntries(
      tracked.json.run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
    )
    expect(tags['cairn.schedule']).toBe('stamper')
    expect(tags['cairn.scheduled_time']).toBe(String(Date.parse('2024-03-01T06:00:00Z')))
    expect((await client.searchRuns({ scheduleName: 'stamper' })).runs.map((r) => r.runId)).toEqual([runId])
  })
})

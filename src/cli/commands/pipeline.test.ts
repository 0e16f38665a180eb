import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { CronJob } from 'kubernetes-models/batch/v1/CronJob'
import { PipelinesClient } from '../../pipelines/client.js'
import { LocalExecutor } from '../../pipelines/executors/local/local-executor.js'
import { launchPipeline } from '../../pipelines/orchestrator/orchestrator.js'
import { parsePipelineText } from '../../pipelines/spec/load.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'
import { printLogs } from './pipeline-inspect.js'

let server: TestServer
let dir: string
let client: PipelinesClient
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const cli = (...args: string[]) => runCli([...args, '--tracking-uri', server.url])
/** `cairn job submit [flags] -- command…`: flags go before the `--`. */
const job = (flags: string[], command: string[]) =>
  runCli(['job', 'submit', ...flags, '--tracking-uri', server.url, '--', ...command])

beforeAll(async () => {
  server = await startTestServer({}, { pipelines: { scheduler: false } })
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-pipe-'))
  client = PipelinesClient.forUri(server.url)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const OK = `
name: ok
params: { who: { type: string, default: world } }
steps:
  - { name: hello, command: "echo hello {{params.who}}" }
  - { name: after, command: "echo after", dependsOn: [hello] }
`

describe('cairn pipeline', () => {
  it('run: runs a pipeline file, reports steps as they finish, and exits 0', async () => {
    const r = await cli('pipeline', 'run', file('ok.yaml', OK), '--param', 'who=cairn', '--logs')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^pipeline ok: run [0-9a-f]{32}$/m)
    expect(r.stderr).toMatch(/^✓ hello succeeded in /m)
    expect(r.stderr).toContain('[hello] hello cairn')
    expect(r.stderr).toMatch(/pipeline run [0-9a-f]{32} succeeded/)
  })

  it('run again: steps come from the cache; --no-cache runs them', async () => {
    const path = file('ok2.yaml', OK)
    await cli('pipeline', 'run', path)
    const cached = await cli('pipeline', 'run', path)
    expect(cached.stderr).toContain('✓ hello succeeded (cached)')
    const fresh = await cli('pipeline', 'run', path, '--no-cache', '--json')
    expect(fresh.stderr).toBe('')
    const out = JSON.parse(fresh.stdout)
    expect(out.status).toBe('succeeded')
    const { steps } = await client.getRun(out.runId)
    expect(steps.every((s) => !s.cacheHit)).toBe(true)
  })

  it('run: a failing step makes exit code 1 with the step and reason', async () => {
    const r = await cli(
      'pipeline',
      'run',
      file('bad.yaml', `name: bad\nsteps:\n  - { name: boom, command: "exit 4" }\n`),
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("failed: step 'boom' failed: exited with code 4")
  })

  it('run: refuses an invalid spec, a bad parameter and a kubernetes backend with no kubeconfig, with clear messages', async () => {
    const cyc = await cli(
      'pipeline',
      'run',
      file(
        'cyc.yaml',
        `name: cyc\nsteps:\n  - { name: a, command: x, dependsOn: [b] }\n  - { name: b, command: x, dependsOn: [a] }\n`,
      ),
    )
    expect(cyc.code).toBe(1)
    expect(cyc.stderr).toContain("step 'a', field 'dependsOn': dependency cycle: a → b → a")
    const param = await cli('pipeline', 'run', file('ok3.yaml', OK), '--param', 'whom=x')
    expect(param.stderr).toContain("has no parameter 'whom' (did you mean 'who'?)")
    const k8s = await cli(
      'pipeline',
      'run',
      file('ok4.yaml', OK),
      '--backend',
      'kubernetes',
      '--kubeconfig',
      join(dir, 'no-such-kubeconfig'),
    )
    expect(k8s.code).toBe(1)
    expect(k8s.stderr).toContain('No Kubernetes configuration found')
  })

  it('runs, show and logs: list runs, the step table with cache and attempts, and step output', async () => {
    const r = JSON.parse(
      (
        await cli(
          'pipeline',
          'run',
          file('show.yaml', OK.replace('name: ok', 'name: shown')),
          '--json',
          '--no-cache',
        )
      ).stdout,
    )
    const runs = await cli('pipeline', 'runs', '--pipeline', 'shown')
    expect(runs.stdout).toMatch(new RegExp(`^${r.runId}\\s+shown\\s+succeeded`, 'm'))
    const show = await cli('pipeline', 'show', r.runId)
    expect(show.stdout).toMatch(/^hello\s+succeeded\s+1\s+\S+\s+miss\s+0\s+[0-9a-f]{32}/m)
    expect(show.stdout).toContain('params    who=world')
    const logs = await cli('pipeline', 'logs', r.runId, 'hello')
    expect(logs.stdout).toBe('hello world\n')
    const all = await cli('pipeline', 'logs', r.runId)
    expect(all.stdout).toBe('[hello] hello world\n[after] after\n')
    const missing = await cli('pipeline', 'logs', r.runId, 'nope')
    expect(missing.stderr).toContain("has no step 'nope'; its steps: hello, after")
  })

  it('logs --follow prints output while the step runs and stops when the run ends', async () => {
    const spec = parsePipelineText(
      `name: follow\nsteps:\n  - { name: tick, command: "for i in 1 2 3; do echo tick $i; sleep 0.2; done" }\n`,
    )
    const launched = await launchPipeline({
      spec,
      params: {},
      workdir: dir,
      executor: new LocalExecutor(),
      client,
      useCache: false,
      logFlushMs: 20,
    })
    const seen: string[] = []
    await printLogs(client, {
      runId: launched.runId,
      step: 'tick',
      follow: true,
      intervalMs: 50,
      write: (s) => void seen.push(s),
    })
    expect((await launched.done).status).toBe('succeeded')
    expect(seen.join('')).toBe('tick 1\ntick 2\ntick 3\n')
    expect(seen.length).toBeGreaterThan(1)
  })

  it('cancel: asks the orchestrator to stop; the run ends cancelled', async () => {
    const spec = parsePipelineText(
      `name: cancel\nsteps:\n  - { name: wait, command: "echo up; sleep 300" }\n`,
    )
    let up!: () => void
    const isUp = new Promise<void>((r) => (up = r))
    const launched = await launchPipeline({
      spec,
      params: {},
      workdir: dir,
      executor: new LocalExecutor({ killGraceMs: 200 }),
      client,
      useCache: false,
      heartbeatMs: 50,
      onEvent: (e) => e.type === 'step-log' && up(),
    })
    await isUp
    const r = await cli('pipeline', 'cancel', launched.runId)
    expect(r.stdout).toContain(`cancel requested for ${launched.runId}`)
    expect((await launched.done).status).toBe('cancelled')
    const again = await cli('pipeline', 'cancel', launched.runId)
    expect(again.stdout).toContain('is cancelled')
  })

  it('resume: reruns a failed run from its failed step', async () => {
    const flag = file('flag', '')
    const path = file(
      'res.yaml',
      `name: res\nsteps:\n  - { name: a, command: "echo a" }\n  - { name: b, command: "test ! -e ${flag}", dependsOn: [a] }\n`,
    )
    const failed = JSON.parse((await cli('pipeline', 'run', path, '--json', '--no-cache')).stdout)
    expect(failed.status).toBe('failed')
    rmSync(flag)
    const resumed = await cli('pipeline', 'resume', failed.runId)
    expect(resumed.code).toBe(0)
    expect(resumed.stderr).toContain('✓ a succeeded (reused)')
    expect(resumed.stderr).toMatch(/✓ b succeeded in /)
  })
})

describe('cairn job submit', () => {
  it("streams the command's output and passes its exit code through", async () => {
    const r = await job(['--name', 'train'], ['sh', '-c', 'echo out; echo err >&2; exit 3'])
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('out\nerr\n')
    expect(r.stderr).toMatch(/job train failed in .* \(exit 3\)/)
  })

  it('records the job as a tracked run whose MLFLOW_RUN_ID is its step run', async () => {
    const r = await job(['--experiment', 'jobs', '--json'], ['sh', '-c', 'echo $MLFLOW_RUN_ID'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const { steps } = await client.getRun(out.runId)
    expect(steps[0]!.status).toBe('succeeded')
    expect((await client.readLogs(out.runId, 'main', 0)).text.trim()).toBe(steps[0]!.runId)
  })

  it('exits 124 when the job runs past --timeout', async () => {
    const r = await job(['--timeout', '200ms'], ['sleep', '30'])
    expect(r.code).toBe(124)
  })
})

describe('cairn schedule', () => {
  it('adds, lists, pauses, resumes, exports and deletes a schedule', async () => {
    const path = file('sched.yaml', OK.replace('name: ok', 'name: nightly'))
    const add = await cli(
      'schedule',
      'add',
      path,
      '--cron',
      '0 6 * * 1-5',
      '--timezone',
      'Europe/Paris',
      '--param',
      'who=sched',
    )
    expect(add.code).toBe(0)
    expect(add.stdout).toMatch(/^schedule nightly: nightly at "0 6 \* \* 1-5" \(Europe\/Paris\); next run /)
    expect((await cli('schedule', 'list')).stdout).toMatch(
      /^nightly\s+nightly\s+0 6 \* \* 1-5\s+Europe\/Paris\s+active/m,
    )
    expect((await cli('schedule', 'pause', 'nightly')).stdout).toBe('schedule nightly paused\n')
    expect((await cli('schedule', 'list')).stdout).toMatch(/^nightly .* paused/m)
    expect((await cli('schedule', 'resume', 'nightly')).stdout).toMatch(/^schedule nightly resumed; next run/)
    const out = join(dir, 'cronjob.yaml')
    const exp = await cli(
      'schedule',
      'export',
      'nightly',
      '--kubernetes',
      '--image',
      'acme/nightly:1',
      '--namespace',
      'ml',
      '-o',
      out,
    )
    expect(exp.code).toBe(0)
    const docs: any[] = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS() as unknown)
    expect(docs.map((d: { kind: string }) => d.kind)).toEqual(['ConfigMap', 'CronJob'])
    new CronJob(docs[1]).validate()
    expect(docs[1].spec.timeZone).toBe('Europe/Paris')
    expect(docs[1].spec.jobTemplate.spec.template.spec.containers[0].command).toContain('who=sched')
    // The exported pipeline is a file `cairn pipeline run` reads back to the same spec.
    expect(parsePipelineText(docs[0].data['pipeline.json'], 'pipeline.json')).toStrictEqual(
      parsePipelineText(OK.replace('name: ok', 'name: nightly')),
    )
    expect((await cli('schedule', 'delete', 'nightly')).stdout).toBe('schedule nightly deleted\n')
    expect((await cli('schedule', 'delete', 'nightly')).stderr).toContain(
      "Schedule 'nightly' does not exist.",
    )
    expect(existsSync(out)).toBe(true)
  })

  it('refuses a bad cron expression with the reason', async () => {
    const r = await cli('schedule', 'add', file('s2.yaml', OK), '--cron', '0 6 * *')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('has 4 fields')
  })
})

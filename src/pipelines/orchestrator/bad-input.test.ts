/**
 * Issue 5's bad input, one test each: a cycle, an unknown step, a missing artifact, a step that
 * exits non-zero, one that hangs past its timeout, one that is killed, a cancelled run, an
 * orchestrator that disappears — clear messages, correct statuses, retries as configured, no
 * orphan processes, and a pipeline record that stays consistent.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PipelineSpecError } from '../spec/errors.js'
import { harness, type Harness } from '../test-support/harness.js'
import { launchPipeline } from './orchestrator.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => {
  await h.close()
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function eventually(check: () => boolean | Promise<boolean>, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return check()
}

/** Every step record ended, and each one with a run has a tracking run in the matching state. */
async function expectConsistent(runId: string): Promise<void> {
  const { run, steps } = await h.client.getRun(runId)
  expect(run.status).not.toBe('running')
  expect(run.endTime).not.toBeNull()
  const tracking = await h.sdk.getRun(runId)
  expect(tracking.info.status).toBe(
    { succeeded: 'FINISHED', failed: 'FAILED', cancelled: 'KILLED', running: 'RUNNING' }[run.status],
  )
  for (const s of steps) {
    expect(['succeeded', 'failed', 'skipped', 'cancelled'], `step ${s.stepKey} is ${s.status}`).toContain(
      s.status,
    )
    if (s.runId === null) continue
    const r = await h.sdk.getRun(s.runId)
    expect(r.info.status, `step ${s.stepKey}`).toBe(
      { succeeded: 'FINISHED', skipped: 'FINISHED', failed: 'FAILED', cancelled: 'KILLED' }[
        s.status as 'failed'
      ],
    )
    expect(r.info.endTime).not.toBeNull()
  }
}

describe('bad input', () => {
  it('refuses a spec with a cycle before anything runs, naming the cycle', () => {
    expect(() =>
      h.spec(`
name: cyc
steps:
  - { name: a, command: x, dependsOn: [b] }
  - { name: b, command: x, dependsOn: [a] }
`),
    ).toThrow("step 'a', field 'dependsOn': dependency cycle: a → b → a")
  })

  it('refuses a spec naming an unknown step', () => {
    let err: unknown
    try {
      h.spec(`
name: unk
steps:
  - { name: train, command: x }
  - { name: eval, command: x, dependsOn: [trian] }
`)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(PipelineSpecError)
    expect((err as PipelineSpecError).message).toBe(
      "Pipeline 'unk' is invalid (1 problem):\n  - step 'eval', field 'dependsOn': unknown step 'trian' (did you mean 'train'?)",
    )
  })

  it('refuses a spec whose input names an artifact no step declares', () => {
    expect(() =>
      h.spec(`
name: miss
steps:
  - { name: train, command: x, outputs: [model] }
  - { name: eval, command: x, inputs: { m: train.weights } }
`),
    ).toThrow(
      "step 'eval', field 'inputs.m': missing artifact: step 'train' declares no output artifact 'weights'",
    )
  })

  it('fails a step that does not write its declared artifact, and skips what needed it', async () => {
    const out = await h.run(
      `
name: missing-output
steps:
  - { name: train, command: echo trained, outputs: [model] }
  - { name: eval, command: ls "$CAIRN_INPUT_M", inputs: { m: train.model } }
`,
      { useCache: false },
    )
    expect(out.status).toBe('failed')
    const { steps } = await h.client.getRun(out.runId)
    expect(steps[0]).toMatchObject({ stepKey: 'train', status: 'failed', exitCode: 0 })
    expect(steps[0]!.message).toMatch(/^output artifact 'model' was not written: \$CAIRN_OUTPUT_MODEL/)
    expect(steps[1]).toMatchObject({
      stepKey: 'eval',
      status: 'skipped',
      message: "not run: upstream step 'train' failed",
    })
    await expectConsistent(out.runId)
  })

  it('retries a step that exits non-zero as configured, with growing backoff, then fails it', async () => {
    const counter = join(h.dir, 'attempts-nonzero')
    const delays: number[] = []
    const out = await h.run(
      `
name: flaky
steps:
  - name: flaky
    command: echo x >> ${counter}; exit 3
    retries: { limit: 2, backoff: 1s, factor: 3 }
`,
      { useCache: false, sleep: async (ms) => void delays.push(ms) },
    )
    expect(out).toMatchObject({ status: 'failed', message: "step 'flaky' failed: exited with code 3" })
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(3)
    expect(delays).toEqual([1000, 3000])
    const { steps } = await h.client.getRun(out.runId)
    expect(steps[0]).toMatchObject({ status: 'failed', attempts: 3, exitCode: 3 })
    expect(
      out.events.filter((e) => e.type === 'step-retrying').map((e) => (e as { attempt: number }).attempt),
    ).toEqual([1, 2])
    const log = (await h.client.readLogs(out.runId, 'flaky', 0)).text
    expect(log).toContain('[cairn] attempt 1 failed (exited with code 3); retrying in 1000 ms (2 left)')
    await expectConsistent(out.runId)
  })

  it('succeeds when a retry succeeds', async () => {
    const counter = join(h.dir, 'attempts-second')
    const out = await h.run(
      `
name: second-time
steps:
  - name: s
    command: echo x >> ${counter}; test $(wc -l < ${counter}) -ge 2
    retries: 3
`,
      { useCache: false },
    )
    expect(out.status).toBe('succeeded')
    expect((await h.client.getRun(out.runId)).steps[0]).toMatchObject({ status: 'succeeded', attempts: 2 })
  })

  it('stops a step that hangs past its timeout, kills what it started, and retries it as configured', async () => {
    const pids = join(h.dir, 'pids-hang')
    const out = await h.run(
      `
name: hang
steps:
  - name: hang
    command: sleep 300 & echo $! >> ${pids}; wait
    timeout: 300ms
    retries: 1
`,
      { useCache: false },
    )
    expect(out).toMatchObject({ status: 'failed', message: "step 'hang' failed: timed out after 300ms" })
    const { steps } = await h.client.getRun(out.runId)
    expect(steps[0]).toMatchObject({ status: 'failed', attempts: 2 })
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number)
    expect(started).toHaveLength(2)
    expect(await eventually(() => started.every((p) => !alive(p)))).toBe(true)
    await expectConsistent(out.runId)
  })

  it('reports a step killed by a signal as failed with 128 + the signal number', async () => {
    const out = await h.run(`\nname: killed\nsteps:\n  - { name: k, command: "kill -KILL $$" }\n`, {
      useCache: false,
    })
    expect(out.status).toBe('failed')
    expect((await h.client.getRun(out.runId)).steps[0]).toMatchObject({
      status: 'failed',
      exitCode: 137,
      message: 'killed by SIGKILL',
    })
    await expectConsistent(out.runId)
  })

  it('cancels a running pipeline: running steps are killed with no orphans, the rest never start, onExit runs', async () => {
    const pids = join(h.dir, 'pids-cancel')
    const marker = join(h.dir, 'never-started')
    const ac = new AbortController()
    const out = await h.run(
      `
name: cancel-me
steps:
  - name: long
    command: sleep 300 & echo $! >> ${pids}; echo $$ >> ${pids}; echo started; wait
  - name: later
    command: touch ${marker}
    dependsOn: [long]
onExit:
  name: cleanup
  command: echo cleaning up after {{pipeline.status}}
`,
      {
        useCache: false,
        signal: ac.signal,
        onEvent: (e) => e.type === 'step-log' && e.line === 'started' && ac.abort(),
      },
    )
    expect(out.status).toBe('cancelled')
    const { steps } = await h.client.getRun(out.runId)
    const byKey = new Map(steps.map((s) => [s.stepKey, s]))
    expect(byKey.get('long')?.status).toBe('cancelled')
    expect(byKey.get('later')).toMatchObject({
      status: 'cancelled',
      message: 'cancelled before it started',
      runId: null,
    })
    expect(byKey.get('cleanup')?.status).toBe('succeeded')
    expect((await h.client.readLogs(out.runId, 'cleanup', 0)).text).toBe('cleaning up after cancelled\n')
    expect(existsSync(marker)).toBe(false)
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number)
    expect(await eventually(() => started.every((p) => !alive(p)))).toBe(true)
    await expectConsistent(out.runId)
  })

  it('cancels through the API: the orchestrator sees the request on its heartbeat', async () => {
    const spec = h.spec(
      `\nname: api-cancel\nsteps:\n  - { name: wait, command: "echo started; sleep 300" }\n`,
    )
    let started!: () => void
    const isStarted = new Promise<void>((r) => (started = r))
    const launched = await launchPipeline({
      spec,
      params: {},
      workdir: h.dir,
      executor: h.executor,
      client: h.client,
      useCache: false,
      heartbeatMs: 50,
      onEvent: (e) => e.type === 'step-log' && started(),
    })
    await isStarted
    const requested = await h.client.cancelRun(launched.runId)
    expect(requested.cancelRequested).toBe(true)
    const out = await launched.done
    expect(out.status).toBe('cancelled')
    expect((await h.client.getRun(launched.runId)).steps[0]?.status).toBe('cancelled')
    await expectConsistent(launched.runId)
  })

  it('ends a run whose orchestrator disappeared as failed (lost), closing its open steps', async () => {
    const spec = h.spec(
      `\nname: lost\nsteps:\n  - { name: a, command: "true" }\n  - { name: b, command: "true", dependsOn: [a] }\n`,
    )
    const created = await h.client.createRun({
      spec,
      params: {},
      workdir: h.dir,
      backend: 'local',
      useCache: true,
      orchestrator: 'cli:gone:1',
    })
    await h.client.declareSteps(created.runId, [
      { stepKey: 'a', step: 'a', position: 0 },
      { stepKey: 'b', step: 'b', position: 1 },
    ])
    await h.client.startStep(created.runId, { stepKey: 'a', step: 'a', params: {} })
    const service = h.server.pipelines.service
    expect(await service.sweepLost()).toEqual([])
    h.advance(2 * service.staleAfterMs)
    expect(await service.sweepLost()).toEqual([created.runId])
    const { run, steps } = await h.client.getRun(created.runId)
    expect(run.status).toBe('failed')
    expect(run.message).toMatch(/^lost: its orchestrator \(cli:gone:1\) stopped reporting/)
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['a', 'failed'],
      ['b', 'skipped'],
    ])
    await expectConsistent(created.runId)
  })
})

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeStepExecutor } from '../executor.contract.js'
import type { StepTask } from '../../executor.js'
import { LocalExecutor } from './local-executor.js'

describeStepExecutor('local', async () => {
  const scratchDir = mkdtempSync(join(tmpdir(), 'cairn-scratch-'))
  return {
    executor: new LocalExecutor({ maxConcurrent: 4, killGraceMs: 500, scratchDir }),
    cleanup: async () => rmSync(scratchDir, { recursive: true, force: true }),
  }
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function eventually(check: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}

describe('local executor processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-local-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const task = (script: string, over: Partial<StepTask> = {}): StepTask => ({
    key: 'k',
    step: 'k',
    pipeline: 'p',
    pipelineRunId: 'r',
    attempt: 1,
    run: { kind: 'shell', script },
    image: null,
    env: {},
    workdir: dir,
    resources: { cpu: null, memory: null, gpu: null },
    timeoutMs: null,
    tracking: { uri: 'http://127.0.0.1:9', runId: 'none' },
    inputs: {},
    outputs: { artifacts: [], values: {} },
    params: {},
    ...over,
  })

  it('kills the whole process group on cancel: no process the step started survives', async () => {
    const pids = join(dir, 'pids-cancel')
    const ex = new LocalExecutor({ killGraceMs: 300, scratchDir: dir })
    const ac = new AbortController()
    // A shell that starts two background sleepers and a foreground one, and ignores SIGTERM.
    const script = `trap '' TERM; sleep 300 & echo $! >> ${pids}; sleep 300 & echo $! >> ${pids}; echo $$ >> ${pids}; echo ready; sleep 300`
    const result = await ex.run(task(script), { signal: ac.signal, log: (l) => l === 'ready' && ac.abort() })
    expect(result.status).toBe('cancelled')
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number)
    expect(started).toHaveLength(3)
    expect(await eventually(() => started.every((p) => !alive(p)))).toBe(true)
  })

  it('kills what a step left running in the background once it exits', async () => {
    const pids = join(dir, 'pids-exit')
    const ex = new LocalExecutor({ scratchDir: dir })
    const result = await ex.run(task(`sleep 300 & echo $! > ${pids}; exit 0`), {
      signal: new AbortController().signal,
      log: () => {},
    })
    expect(result.status).toBe('succeeded')
    const pid = Number(readFileSync(pids, 'utf8').trim())
    expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('kills the process group on timeout and reports the signal exit code', async () => {
    const pids = join(dir, 'pids-timeout')
    const ex = new LocalExecutor({ killGraceMs: 200, scratchDir: dir })
    const result = await ex.run(task(`sleep 300 & echo $! > ${pids}; wait`, { timeoutMs: 300 }), {
      signal: new AbortController().signal,
      log: () => {},
    })
    expect(result).toMatchObject({ status: 'failed', timedOut: true, exitCode: 143 })
    const pid = Number(readFileSync(pids, 'utf8').trim())
    expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('runs at most maxConcurrent steps at once', async () => {
    const ex = new LocalExecutor({ maxConcurrent: 2, scratchDir: dir })
    const log = join(dir, 'concurrency')
    // Each step appends +1 when it starts and -1 when it ends; the running sum is the concurrency.
    const script = `echo 1 >> ${log}; sleep 0.2; echo -1 >> ${log}`
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        ex.run(task(script), { signal: new AbortController().signal, log: () => {} }),
      ),
    )
    expect(results.every((r) => r.status === 'succeeded')).toBe(true)
    let running = 0
    let most = 0
    for (const d of readFileSync(log, 'utf8').trim().split('\n').map(Number)) {
      running += d
      most = Math.max(most, running)
    }
    expect(most).toBe(2)
  })
})

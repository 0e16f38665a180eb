import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

const CHILD = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url))

let server: TestServer
let client: CairnClient

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
})
afterAll(async () => {
  await server.close()
})

interface ChildResult {
  runId: string
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

/** Runs the child script; with `signal`, sends it once the child says it is ready. */
function runChild(mode: 'signal' | 'natural', signal?: NodeJS.Signals): Promise<ChildResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
    env: { ...process.env, CAIRN_TRACKING_URI: server.url, MLFLOW_RUN_ID: '', MLFLOW_EXPERIMENT_NAME: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (signal && stdout.includes('ready\n') && child.exitCode === null && !child.killed) child.kill(signal)
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, sig) => resolve({ runId: stdout.split('\n')[0]!, code, signal: sig, stderr }))
  })
}

describe('SDK exit handling (child processes)', () => {
  it('flushes and ends the run FINISHED when a script returns without endRun', async () => {
    const res = await runChild('natural')
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const run = await client.getRun(res.runId)
    expect(run.info.status).toBe('FINISHED')
    expect((await client.getMetricHistory(res.runId, 'm')).map((m) => m.step)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    )
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal} flushes, ends the run KILLED and dies of the signal`, async () => {
      const res = await runChild('signal', signal)
      expect(res.signal).toBe(signal)
      const run = await client.getRun(res.runId)
      expect(run.info.status).toBe('KILLED')
      expect(await client.getMetricHistory(res.runId, 'm')).toHaveLength(500)
    })
  }
})

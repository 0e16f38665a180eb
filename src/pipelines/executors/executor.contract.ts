/**
 * The contract every StepExecutor passes (src/pipelines/executor.ts lists the points). A backend's
 * test file calls `describeStepExecutor(name, open)`; a skip names the test and gives its reason.
 *
 * The suite starts a real Cairn server (in process, temp SQLite and artifacts): steps log to it,
 * stage inputs from it and upload outputs to it, as they do in a pipeline. Commands are POSIX
 * shell and Node one-liners, so an executor that runs them in containers needs an image with
 * `sh` and `node` (the suite passes `image` in `opts.image`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../client/index.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import type { StepExecutor, StepResult, StepTask } from '../executor.js'
import { folderDigest } from '../staging/digest.js'

export interface ExecutorUnderTest {
  executor: StepExecutor
  cleanup(): Promise<void>
}

export interface ExecutorContractOptions {
  /** Test name → why this backend skips it. */
  skip?: Record<string, string>
  /** Image for tasks (containers need one with sh and node). */
  image?: string
}

export type OpenExecutor = (ctx: { trackingUri: string; workdir: string }) => Promise<ExecutorUnderTest>

interface Harness {
  server: TestServer
  client: CairnClient
  workdir: string
  executor: StepExecutor
  task(over: Partial<StepTask>): Promise<StepTask>
  run(task: StepTask, signal?: AbortSignal): Promise<{ result: StepResult; lines: string[] }>
}

export function describeStepExecutor(
  name: string,
  open: OpenExecutor,
  opts: ExecutorContractOptions = {},
): void {
  describe(`StepExecutor contract: ${name}`, () => {
    const h = {} as Harness
    let opened: ExecutorUnderTest
    beforeAll(async () => {
      h.server = await startTestServer()
      h.client = new CairnClient({ trackingUri: h.server.url, handleExit: false })
      h.workdir = mkdtempSync(join(tmpdir(), 'cairn-exec-'))
      opened = await open({ trackingUri: h.server.url, workdir: h.workdir })
      h.executor = opened.executor
      h.task = async (over) => {
        const run = await h.client.startRun({ experimentName: 'executor-contract' })
        const env = {
          MLFLOW_TRACKING_URI: h.server.url,
          CAIRN_TRACKING_URI: h.server.url,
          MLFLOW_RUN_ID: run.runId,
        }
        return {
          key: 'step',
          step: 'step',
          pipeline: 'contract',
          pipelineRunId: 'p',
          attempt: 1,
          run: { kind: 'shell', script: 'true' },
          image: opts.image ?? null,
          env,
          workdir: h.workdir,
          resources: { cpu: null, memory: null, gpu: null },
          timeoutMs: null,
          tracking: { uri: h.server.url, runId: run.runId },
          inputs: {},
          outputs: { artifacts: [], values: {} },
          params: {},
          ...over,
          ...(over.env ? { env: { ...env, ...over.env } } : {}),
        }
      }
      h.run = async (task, signal = new AbortController().signal) => {
        const lines: string[] = []
        const result = await h.executor.run(task, { signal, log: (l) => lines.push(l) })
        return { result, lines }
      }
    })
    afterAll(async () => {
      await opened?.cleanup()
      await h.executor?.close?.()
      await h.server?.close()
      rmSync(h.workdir, { recursive: true, force: true })
    })

    const test = (title: string, fn: () => Promise<void>): void => {
      const reason = opts.skip?.[title]
      if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, fn)
      else it(title, fn)
    }

    test('runs a shell command, streams its lines in order and reports success', async () => {
      const { result, lines } = await h.run(
        await h.task({ run: { kind: 'shell', script: 'echo one; echo two >&2; echo three' } }),
      )
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, timedOut: false, message: '' })
      expect(lines.filter((l) => l === 'one' || l === 'three')).toEqual(['one', 'three'])
      expect(lines).toContain('two')
    })

    test('runs a program with arguments without a shell', async () => {
      const { result, lines } = await h.run(
        await h.task({
          run: {
            kind: 'argv',
            argv: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'a b', "'$HOME'"],
          },
        }),
      )
      expect(result.status).toBe('succeeded')
      expect(JSON.parse(lines[0]!)).toEqual(['a b', "'$HOME'"])
    })

    test('reports a non-zero exit as a failure with its exit code', async () => {
      const { result } = await h.run(await h.task({ run: { kind: 'shell', script: 'echo bad; exit 3' } }))
      expect(result).toMatchObject({ status: 'failed', exitCode: 3, timedOut: false })
      expect(result.message).toContain('3')
    })

    test('reports a program that cannot start as a failure', async () => {
      const { result } = await h.run(
        await h.task({ run: { kind: 'argv', argv: ['/definitely/not/a/program'] } }),
      )
      expect(result.status).toBe('failed')
      expect(result.message).not.toBe('')
    })

    test("gives the step its own run's tracking environment, so what it logs lands there", async () => {
      const script =
        "node -e \"fetch(process.env.MLFLOW_TRACKING_URI + '/api/2.0/mlflow/runs/log-metric', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({run_id: process.env.MLFLOW_RUN_ID, key: 'acc', value: 0.9, timestamp: Date.now()})}).then(r => process.exit(r.ok ? 0 : 1))\""
      const task = await h.task({
        run: { kind: 'shell', script: `test "$CAIRN_TRACKING_URI" = "$MLFLOW_TRACKING_URI" && ${script}` },
      })
      const { result } = await h.run(task)
      expect(result.status).toBe('succeeded')
      const run = await h.client.getRun(task.tracking.runId)
      expect(run.data.metrics.find((m) => m.key === 'acc')?.value).toBe(0.9)
    })

    test('stages input artifacts, uploads output folders and reads typed values', async () => {
      const producer = await h.client.startRun({ experimentName: 'executor-contract' })
      const src = mkdtempSync(join(tmpdir(), 'cairn-exec-in-'))
      writeFileSync(join(src, 'data.csv'), 'a,b\n1,2\n')
      await producer.logArtifacts(src, 'outputs/dataset')
      rmSync(src, { recursive: true, force: true })
      const task = await h.task({
        run: {
          kind: 'shell',
          script:
            'cat "$CAIRN_INPUT_DATA/data.csv" > {{outputs.model}}/copy.csv && wc -l < {{inputs.data}}/data.csv | tr -d " " > "$CAIRN_VALUE_ROWS" && echo true > "$CAIRN_VALUE_OK"',
        },
        inputs: { data: { runId: producer.runId, path: 'outputs/dataset', digest: 'sha256:x' } },
        outputs: { artifacts: ['model'], values: { rows: 'int', ok: 'bool' } },
      })
      const { result } = await h.run(task)
      expect(result.message).toBe('')
      expect(result.status).toBe('succeeded')
      expect(result.outputs.values).toEqual({ rows: 2, ok: true })
      const model = result.outputs.artifacts['model']!
      expect(model).toMatchObject({ runId: task.tracking.runId, path: 'outputs/model' })
      const check = mkdtempSync(join(tmpdir(), 'cairn-exec-check-'))
      writeFileSync(join(check, 'copy.csv'), 'a,b\n1,2\n')
      expect(model.digest).toBe(await folderDigest(check))
      rmSync(check, { recursive: true, force: true })
      const listed = await h.client.listArtifacts(task.tracking.runId, 'outputs/model')
      expect(listed.map((f) => f.path)).toEqual(['outputs/model/copy.csv'])
    })

    test('fails a step that does not write a declared output', async () => {
      const { result } = await h.run(
        await h.task({
          run: { kind: 'shell', script: 'true' },
          outputs: { artifacts: ['model'], values: {} },
        }),
      )
      expect(result.status).toBe('failed')
      expect(result.message).toContain("output artifact 'model' was not written")
    })

    test('fails a step whose value does not fit its declared type', async () => {
      const { result } = await h.run(
        await h.task({
          run: { kind: 'shell', script: 'echo maybe > "$CAIRN_VALUE_OK"' },
          outputs: { artifacts: [], values: { ok: 'bool' } },
        }),
      )
      expect(result.status).toBe('failed')
      expect(result.message).toContain("value output 'ok' is declared bool")
    })

    test('runs an exported function with its params and item, and keeps what it returns as values', async () => {
      writeFileSync(
        join(h.workdir, 'steps.mjs'),
        `export async function score(ctx) { console.log('scoring', ctx.item); return { total: ctx.params.base + ctx.item, who: ctx.step } }\n`,
      )
      const { result, lines } = await h.run(
        await h.task({
          run: { kind: 'function', module: './steps.mjs', export: 'score' },
          params: { base: 40 },
          item: 2,
          outputs: { artifacts: [], values: { total: 'int', who: 'string' } },
        }),
      )
      expect(result.status).toBe('succeeded')
      expect(result.outputs.values).toEqual({ total: 42, who: 'step' })
      expect(lines).toContain('scoring 2')
    })

    test('fails a function step whose export is missing, saying what the module exports', async () => {
      writeFileSync(join(h.workdir, 'other.mjs'), `export function a() {}\n`)
      const { result, lines } = await h.run(
        await h.task({ run: { kind: 'function', module: './other.mjs', export: 'b' } }),
      )
      expect(result.status).toBe('failed')
      expect(lines.join('\n')).toContain("has no exported function 'b' (exported functions: a)")
    })

    test('stops a step that runs past its timeout and reports it timed out', async () => {
      const { result } = await h.run(
        await h.task({ run: { kind: 'shell', script: 'sleep 60' }, timeoutMs: 300 }),
      )
      expect(result).toMatchObject({ status: 'failed', timedOut: true })
      expect(result.message).toContain('timed out')
    })

    test('stops a running step when its signal aborts and reports it cancelled', async () => {
      const ac = new AbortController()
      const task = await h.task({ run: { kind: 'shell', script: 'echo started; sleep 60' } })
      const running = h.executor.run(task, {
        signal: ac.signal,
        log: (l) => {
          if (l === 'started') ac.abort()
        },
      })
      const result = await running
      expect(result.status).toBe('cancelled')
    })

    test('does not start a step whose signal already aborted', async () => {
      const ac = new AbortController()
      ac.abort()
      const marker = join(h.workdir, 'should-not-exist')
      const { result } = await h.run(
        await h.task({ run: { kind: 'shell', script: `touch ${marker}` } }),
        ac.signal,
      )
      expect(result.status).toBe('cancelled')
      await expect(readFile(marker)).rejects.toThrow()
    })
  })
}

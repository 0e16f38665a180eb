/**
 * The step entrypoint inside a Kubernetes pod (the container's command; in an image with Cairn
 * installed it is `node node_modules/cairn/dist/pipelines/executors/kubernetes/pod-entrypoint.js`).
 * It does in the pod what the local executor does on a laptop, by being one: stages the inputs
 * over HTTP, runs the command (or function) in the image's working folder with the container's
 * environment, streams its lines to stdout (the pod log), uploads the outputs, then writes the
 * step's result as JSON to the termination message file, which the kubelet copies into the pod's
 * status for the executor to read. The exit code is the step's.
 *
 * A result larger than a termination message may be (4096 bytes) is uploaded to the step run's
 * artifacts instead and the message points at it.
 */
import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { HttpClient } from '../../../client/http.js'
import { PipelinesClient } from '../../client.js'
import type { StepResult, StepTask } from '../../executor.js'
import { RunArtifactUris } from '../../staging/stage.js'
import { LocalExecutor } from '../local/local-executor.js'
import { RESULT_FILE_ENV, TASK_ENV, TERMINATION_MESSAGE_PATH, type PodTask } from './job-manifest.js'

/** What the termination message holds. */
export type PodResult = StepResult | { resultArtifact: string }

/** Below the kubelet's 4096-byte cap on a termination message. */
export const MAX_MESSAGE_BYTES = 4000

export const resultArtifactPath = (attempt: number): string => `cairn/result-attempt-${attempt}.json`

async function writeResult(task: PodTask, result: StepResult, file: string): Promise<void> {
  let text = JSON.stringify(result)
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
    const http = new HttpClient({ trackingUri: task.tracking.uri })
    const uri = await new RunArtifactUris(http).get(task.tracking.runId)
    const path = resultArtifactPath(task.attempt)
    await new PipelinesClient(http).uploadText(uri, path, text)
    text = JSON.stringify({ resultArtifact: path } satisfies PodResult)
  }
  await writeFile(file, text)
}

const flush = (): Promise<void> => new Promise((r) => process.stdout.write('', () => r()))

export async function runPodStep(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const raw = env[TASK_ENV]
  const resultFile = env[RESULT_FILE_ENV] ?? TERMINATION_MESSAGE_PATH
  if (!raw) {
    process.stderr.write(
      `cairn step entrypoint: ${TASK_ENV} is not set (this program runs inside a step's pod)\n`,
    )
    return 2
  }
  const pod = JSON.parse(raw) as PodTask
  const task: StepTask = {
    ...pod,
    // The container already has the step's environment; the image is this one, the deadline is the Job's.
    env: {},
    workdir: process.cwd(),
    image: null,
    resources: { cpu: null, memory: null, gpu: null },
    timeoutMs: null,
  }
  const stop = new AbortController()
  // The kubelet sends SIGTERM when the Job is deleted (cancel) or its deadline passes.
  const onTerm = (): void => stop.abort()
  process.once('SIGTERM', onTerm)
  process.once('SIGINT', onTerm)
  const executor = new LocalExecutor({ maxConcurrent: 1, killGraceMs: 5000 })
  const result = await executor.run(task, {
    signal: stop.signal,
    log: (line) => void process.stdout.write(`${line}\n`),
  })
  try {
    await writeResult(pod, result, resultFile)
  } catch (err) {
    process.stderr.write(
      `cairn step entrypoint: could not write the step's result: ${(err as Error).message}\n`,
    )
    await flush()
    return 1
  }
  await flush()
  if (result.status === 'succeeded') return 0
  return result.exitCode !== null && result.exitCode !== 0 ? result.exitCode : 1
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  runPodStep().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`cairn step entrypoint: ${err.stack ?? err.message}\n`)
      process.exit(1)
    },
  )
}

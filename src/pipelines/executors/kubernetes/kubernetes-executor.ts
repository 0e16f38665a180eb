/**
 * The Kubernetes executor: each step attempt is a `batch/v1` Job (job-manifest.ts) whose pod runs
 * Cairn's step entrypoint in the step's image. The executor creates the Job, looks at it and its
 * pod every `pollMs` (reads, not a watch: one Job per step, and a missed watch event cannot lose
 * an outcome), follows the container's log into the step's log, and reads the result the
 * entrypoint left in the termination message. A timeout is the Job's activeDeadlineSeconds; a
 * cancel deletes the Job with propagationPolicy Background and waits for its pod to go.
 *
 * A step that fails (non-zero exit, OOMKilled, deadline, an image that cannot be pulled) is a
 * StepResult; `run` throws (a CairnError naming the cluster and the cause) only when the executor
 * cannot work at all: no access to the namespace, RBAC, credentials, an unreachable API server.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node'
import { HttpClient } from '../../../client/http.js'
import { CairnError } from '../../../protocol/errors.js'
import {
  cancelled,
  failed,
  type RunOptions,
  type StepExecutor,
  type StepResult,
  type StepTask,
} from '../../executor.js'
import { artifactBaseUrl } from '../../../client/artifacts.js'
import { RunArtifactUris } from '../../staging/stage.js'
import { apiStatus, isTransient, kubernetesError } from './api-errors.js'
import { buildJob, CONTAINER } from './job-manifest.js'
import {
  containerStarted,
  containerTerminated,
  currentPod,
  finishedResult,
  jobEnd,
  parsePodResult,
  podProblem,
  type JobEnd,
} from './job-status.js'
import type { KubeApi } from './kube-api.js'
import { LogFollower } from './log-follower.js'
import type { KubernetesSettings } from './options.js'

export interface KubernetesExecutorOptions {
  api: KubeApi
  settings: KubernetesSettings
  /** Namespace Jobs go to (settings.namespace, else the kubeconfig's, else `default`). */
  namespace: string
  /** After a cancel, how long to wait for the pod to be gone (default 60 s). */
  cancelWaitMs?: number
  /** After the Job ended, how long the log stream may take to deliver its tail (default 10 s). */
  logDrainMs?: number
  /** Consecutive failed looks at a Job before giving up on the API (default 10). */
  maxPollErrors?: number
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

interface RunContext {
  api: KubeApi
  namespace: string
  pollMs: number
  cancelWaitMs: number
  logDrainMs: number
  maxPollErrors: number
  error(err: unknown, action: string): CairnError
}

export class KubernetesExecutor implements StepExecutor {
  readonly name = 'kubernetes' as const
  private readonly s: KubernetesSettings
  private readonly c: RunContext

  constructor(opts: KubernetesExecutorOptions) {
    this.s = opts.settings
    const { api, namespace } = opts
    this.c = {
      api,
      namespace,
      pollMs: opts.settings.pollMs,
      cancelWaitMs: opts.cancelWaitMs ?? 60_000,
      logDrainMs: opts.logDrainMs ?? 10_000,
      maxPollErrors: opts.maxPollErrors ?? 10,
      error: (err, action) => kubernetesError(err, { server: api.server, namespace, action }),
    }
  }

  async run(task: StepTask, opts: RunOptions): Promise<StepResult> {
    if (opts.signal.aborted) return cancelled('cancelled before it started')
    const image = task.image ?? this.s.defaultImage
    if (!image) {
      return failed(
        `step '${task.step}' has no image and no default image is set (give the step an image, or pass --image / set CAIRN_K8S_IMAGE)`,
      )
    }
    const manifest = buildJob(task, image, this.c.namespace, this.s)
    const name = manifest.metadata!.name!
    let job: V1Job
    try {
      job = await this.c.api.createJob(this.c.namespace, manifest)
    } catch (err) {
      const s = apiStatus(err)
      // The Job itself was refused (invalid, or a clash of names): that is this step's failure.
      if (s && (s.code === 409 || s.code === 422))
        return failed(`Kubernetes refused Job ${name}: ${s.message} (${s.reason || s.code})`)
      throw this.c.error(err, `create Job ${name}`)
    }
    const uid = job.metadata?.uid
    const selector = uid ? `controller-uid=${uid}` : `job-name=${name}`
    const result = await new JobRun(this.c, task, opts, { name, selector }).watch()
    if (this.s.ttlSecondsAfterFinished === 0 && result.status !== 'cancelled')
      await this.c.api.deleteJob(this.c.namespace, name).catch(() => undefined)
    return result
  }
}

/** One Job from creation to its result. */
class JobRun {
  private follower: LogFollower | null = null
  private notes = new Set<string>()
  private pod: V1Pod | undefined
  private readonly name: string
  /** Finds the Job's pods: `controller-uid=<uid>`, set by the Job controller on every version. */
  private readonly selector: string

  constructor(
    private readonly c: RunContext,
    private readonly task: StepTask,
    private readonly opts: RunOptions,
    job: { name: string; selector: string },
  ) {
    this.name = job.name
    this.selector = job.selector
  }

  async watch(): Promise<StepResult> {
    const { api, namespace } = this.c
    let errors = 0
    for (;;) {
      if (this.opts.signal.aborted) return this.cancel()
      let job: V1Job | null
      try {
        job = await api.readJob(namespace, this.name)
        this.pod = currentPod(await api.listPods(namespace, this.selector))
        errors = 0
      } catch (err) {
        if (!isTransient(err) || ++errors >= this.c.maxPollErrors) {
          await api.deleteJob(namespace, this.name).catch(() => undefined)
          throw this.c.error(err, `read Job ${this.name}`)
        }
        await sleep(this.c.pollMs, this.opts.signal)
        continue
      }
      if (this.opts.signal.aborted) return this.cancel()
      if (job === null) return failed(`Job ${namespace}/${this.name} was deleted before it finished`)
      await this.followLogs()
      const end = jobEnd(job)
      if (end) return this.finish(end)
      const problem = podProblem(this.pod)
      if (problem && 'fatal' in problem) {
        this.opts.log(`[cairn] ${problem.fatal}`)
        await api.deleteJob(namespace, this.name).catch(() => undefined)
        return failed(problem.fatal)
      }
      if (problem && !this.notes.has(problem.note)) {
        this.notes.add(problem.note)
        this.opts.log(`[cairn] ${problem.note}`)
      }
      await sleep(this.c.pollMs, this.opts.signal)
    }
  }

  private async followLogs(): Promise<void> {
    const pod = this.pod
    const podName = pod?.metadata?.name
    if (!podName) return
    if (this.follower?.pod !== podName)
      this.follower = new LogFollower(
        this.c.api,
        { namespace: this.c.namespace, pod: podName, container: CONTAINER },
        this.opts.log,
      )
    await this.follower.update({ started: containerStarted(pod), terminated: containerTerminated(pod) })
  }

  private async finish(end: JobEnd): Promise<StepResult> {
    // The pod's final status and the log's tail may trail the Job's condition by a moment.
    const deadline = Date.now() + this.c.logDrainMs
    while (Date.now() < deadline) {
      if (this.pod && containerTerminated(this.pod) && (this.follower?.complete ?? true)) break
      if (!this.pod && end.kind === 'failed') break
      await sleep(Math.min(this.c.pollMs, 200))
      try {
        this.pod = currentPod(await this.c.api.listPods(this.c.namespace, this.selector))
      } catch {
        break
      }
      await this.followLogs()
    }
    await this.follower?.drain(1000)
    const message = this.pod?.status?.containerStatuses?.find((s) => s.name === CONTAINER)?.state?.terminated
      ?.message
    let result: StepResult | null = null
    const parsed = parsePodResult(message)
    if (parsed && 'resultArtifact' in parsed) result = await this.readResultArtifact(parsed.resultArtifact)
    else result = parsed
    return finishedResult(this.task, end, this.pod, result)
  }

  private async readResultArtifact(path: string): Promise<StepResult | null> {
    try {
      const http = new HttpClient({ trackingUri: this.task.tracking.uri })
      const uri = await new RunArtifactUris(http).get(this.task.tracking.runId)
      const res = await http.send({
        method: 'GET',
        path: `${artifactBaseUrl(uri, http.trackingUri)}/${path}`,
      })
      return parsePodResultText(await res.text())
    } catch (err) {
      this.opts.log(`[cairn] could not read the step's result artifact ${path}: ${(err as Error).message}`)
      return null
    }
  }

  /** Deletes the Job (its pod follows, stopped by the kubelet) and waits for the pod to be gone. */
  private async cancel(): Promise<StepResult> {
    const { api, namespace } = this.c
    try {
      await api.deleteJob(namespace, this.name)
    } catch (err) {
      this.opts.log(`[cairn] could not delete Job ${this.name}: ${this.c.error(err, 'delete it').message}`)
      return cancelled('cancelled, but its Job could not be deleted')
    }
    this.opts.log(`[cairn] Job ${namespace}/${this.name} deleted (cancelled)`)
    const deadline = Date.now() + this.c.cancelWaitMs
    let exitCode: number | null = null
    while (Date.now() < deadline) {
      let pods: V1Pod[]
      try {
        pods = await api.listPods(namespace, this.selector)
      } catch {
        break
      }
      const pod = currentPod(pods)
      if (!pod) break
      exitCode =
        pod.status?.containerStatuses?.find((s) => s.name === CONTAINER)?.state?.terminated?.exitCode ??
        exitCode
      await sleep(Math.min(this.c.pollMs, 250))
    }
    await this.follower?.drain(1000)
    return cancelled('cancelled while running', exitCode)
  }
}

function parsePodResultText(text: string): StepResult | null {
  const r = parsePodResult(text)
  return r && !('resultArtifact' in r) ? r : null
}

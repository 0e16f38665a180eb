/**
 * Reading a step's fate from its Job and pod (pure). The Job's conditions say when it is over
 * (`Complete` / `Failed`, with `DeadlineExceeded` for a timeout); the pod's container status says
 * how (exit code, `OOMKilled`, the termination message the entrypoint wrote). While the Job runs,
 * some pod states never get better on their own (an image that cannot be pulled, a secret that
 * does not exist): those end the step at once instead of waiting for the deadline.
 */
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node'
import { failed, noOutputs, type StepResult, type StepTask } from '../../executor.js'
import { formatDuration } from '../../spec/duration.js'
import { CONTAINER } from './job-manifest.js'
import type { PodResult } from './pod-entrypoint.js'

export type JobEnd = { kind: 'complete' } | { kind: 'failed'; reason: string; message: string }

export function jobEnd(job: V1Job): JobEnd | null {
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== 'True') continue
    if (c.type === 'Complete') return { kind: 'complete' }
    if (c.type === 'Failed') return { kind: 'failed', reason: c.reason ?? '', message: c.message ?? '' }
  }
  return null
}

export function containerStatus(pod: V1Pod | undefined): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER)
}

/** The container has started (its log can be followed). */
export function containerStarted(pod: V1Pod | undefined): boolean {
  const st = containerStatus(pod)?.state
  return st?.running !== undefined || st?.terminated !== undefined
}

export function containerTerminated(pod: V1Pod | undefined): boolean {
  return containerStatus(pod)?.state?.terminated !== undefined
}

/** The newest pod of the Job (there is one, as backoffLimit is 0; a replaced one is older). */
export function currentPod(pods: V1Pod[]): V1Pod | undefined {
  const time = (p: V1Pod): number => new Date(p.metadata?.creationTimestamp ?? 0).getTime()
  return [...pods].sort((a, b) => time(b) - time(a))[0]
}

const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName'])
const CONFIG_REASONS = new Set(['CreateContainerConfigError'])

export type PodProblem = { fatal: string } | { note: string }

/** A reason to give up on the pod now, or something worth a line in the step's log. */
export function podProblem(pod: V1Pod | undefined): PodProblem | null {
  if (!pod) return null
  const waiting = containerStatus(pod)?.state?.waiting
  if (waiting?.reason && IMAGE_REASONS.has(waiting.reason)) {
    const image = pod.spec?.containers.find((c) => c.name === CONTAINER)?.image ?? '?'
    return {
      fatal: `image '${image}' could not be pulled (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`,
    }
  }
  if (waiting?.reason && CONFIG_REASONS.has(waiting.reason)) {
    return {
      fatal: `the container could not be created (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`,
    }
  }
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  )
  if (unschedulable)
    return { note: `pod ${pod.metadata?.name} cannot be scheduled yet: ${unschedulable.message ?? ''}` }
  return null
}

/** The termination message, when it is the entrypoint's result. */
export function parsePodResult(message: string | undefined): PodResult | null {
  if (!message || !message.startsWith('{')) return null
  try {
    const v = JSON.parse(message) as Record<string, unknown>
    if (typeof v['resultArtifact'] === 'string') return { resultArtifact: v['resultArtifact'] }
    if (v['status'] === 'succeeded' || v['status'] === 'failed' || v['status'] === 'cancelled') {
      return {
        status: v['status'],
        exitCode: typeof v['exitCode'] === 'number' ? v['exitCode'] : null,
        timedOut: v['timedOut'] === true,
        message: typeof v['message'] === 'string' ? v['message'] : '',
        outputs: (v['outputs'] as StepResult['outputs'] | undefined) ?? noOutputs(),
      }
    }
  } catch {
    // The log's tail (FallbackToLogsOnError) that happens to start with '{'.
  }
  return null
}

const firstLine = (s: string): string => s.trim().split('\n').pop()?.trim() ?? ''

/**
 * The step's result once its Job is over. `result` is the entrypoint's own account (from the
 * termination message, or the artifact it points to), null when it wrote none.
 */
export function finishedResult(
  task: StepTask,
  end: JobEnd,
  pod: V1Pod | undefined,
  result: StepResult | null,
): StepResult {
  const terminated = containerStatus(pod)?.state?.terminated
  const exitCode = result?.exitCode ?? terminated?.exitCode ?? null
  if (end.kind === 'failed' && end.reason === 'DeadlineExceeded') {
    return failed(
      `timed out after ${formatDuration(task.timeoutMs ?? 0)} (the Job's activeDeadlineSeconds passed)`,
      {
        exitCode,
        timedOut: true,
      },
    )
  }
  if (terminated?.reason === 'OOMKilled') {
    const limit = task.resources.memory
    return failed(
      `out of memory: the container was OOMKilled${limit ? ` at its memory limit of ${limit}` : ''}`,
      { exitCode: terminated.exitCode ?? 137 },
    )
  }
  if (result) {
    // A Job that failed while the entrypoint says succeeded cannot happen; trust the cluster if it does.
    if (end.kind === 'failed' && result.status === 'succeeded')
      return failed(`Job failed (${end.reason}): ${end.message}`, { exitCode })
    return result
  }
  if (end.kind === 'complete') {
    const declared = task.outputs.artifacts.length + Object.keys(task.outputs.values).length
    if (declared > 0)
      return failed("the step's result was not found in its pod's termination message", { exitCode })
    return { status: 'succeeded', exitCode: 0, timedOut: false, message: '', outputs: noOutputs() }
  }
  if (terminated) {
    const reason = terminated.reason && terminated.reason !== 'Error' ? ` (${terminated.reason})` : ''
    const detail = terminated.message ? `: ${firstLine(terminated.message)}` : ''
    return failed(`exited with code ${terminated.exitCode}${reason}${detail}`, { exitCode })
  }
  if (pod?.status?.phase === 'Failed' && pod.status.reason) {
    return failed(`pod ${pod.metadata?.name} ${pod.status.reason}: ${pod.status.message ?? ''}`.trim(), {
      exitCode,
    })
  }
  return failed(`Job failed (${end.reason || 'no reason given'})${end.message ? `: ${end.message}` : ''}`, {
    exitCode,
  })
}

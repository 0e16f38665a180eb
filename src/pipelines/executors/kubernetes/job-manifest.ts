/**
 * A step as a `batch/v1` Job (pure: no API calls). One pod, never restarted and never retried by
 * Kubernetes (`backoffLimit: 0`): retries belong to the orchestrator, which records each attempt.
 * The container runs Cairn's step entrypoint (pod-entrypoint.ts), which stages inputs, runs the
 * command, uploads outputs and writes the step's result to the termination message, where the
 * executor reads it back from the pod's status.
 */
import { createHash } from 'node:crypto'
import type { V1EnvVar, V1Job, V1ResourceRequirements } from '@kubernetes/client-node'
import type { StepTask } from '../../executor.js'
import { FALLBACK_TTL_SECONDS, type KubernetesSettings } from './options.js'

export const CONTAINER = 'step'
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log'
/** The task the entrypoint runs (JSON of PodTask). */
export const TASK_ENV = 'CAIRN_STEP_TASK'
/** Where the entrypoint writes the step's result: the container's termination message file. */
export const RESULT_FILE_ENV = 'CAIRN_RESULT_FILE'

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  pipeline: 'cairn.dev/pipeline',
  pipelineRun: 'cairn.dev/pipeline-run-id',
  step: 'cairn.dev/step',
  stepKey: 'cairn.dev/step-key',
  stepRun: 'cairn.dev/step-run-id',
  attempt: 'cairn.dev/attempt',
} as const

/** What the pod needs besides its environment: StepTask without env and workdir (the image has its own). */
export type PodTask = Omit<StepTask, 'env' | 'workdir' | 'image' | 'resources' | 'timeoutMs'>

const hash = (text: string, n: number): string => createHash('sha256').update(text).digest('hex').slice(0, n)

/** A label value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric; long ones keep a hash. */
export function labelValue(text: string): string {
  let v = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
  if (v.length > 63) v = `${v.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${hash(text, 8)}`
  return v
}

/**
 * `cairn-<pipeline>-<step key>-<hash>`: a DNS label (the Job controller copies the name into the
 * pods' `job-name` label, so 63 characters at most). The hash ties it to the pipeline run, step
 * run and attempt, so a retry is a new Job and two runs never collide.
 */
export function jobName(task: StepTask): string {
  const id = hash(`${task.pipelineRunId}/${task.key}/${task.tracking.runId}/${task.attempt}`, 10)
  const slug = `cairn-${task.pipeline}-${task.key}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63 - id.length - 1)
    .replace(/-+$/, '')
  return `${slug}-${id}`
}

export function stepLabels(task: StepTask): Record<string, string> {
  return {
    [LABELS.managedBy]: 'cairn',
    [LABELS.component]: 'pipeline-step',
    [LABELS.pipeline]: labelValue(task.pipeline),
    [LABELS.pipelineRun]: labelValue(task.pipelineRunId),
    [LABELS.step]: labelValue(task.step),
    [LABELS.stepKey]: labelValue(task.key),
    [LABELS.stepRun]: labelValue(task.tracking.runId),
    [LABELS.attempt]: String(task.attempt),
  }
}

function resources(task: StepTask, s: KubernetesSettings): V1ResourceRequirements | undefined {
  const { cpu, memory, gpu } = task.resources
  const requests: Record<string, string> = {}
  const limits: Record<string, string> = {}
  // Requests equal limits for cpu and memory: the pod gets what the step declared and no more,
  // so a step that fits on a laptop behaves the same on a busy node.
  if (cpu !== null) requests['cpu'] = limits['cpu'] = cpu
  if (memory !== null) requests['memory'] = limits['memory'] = memory
  // Extended resources (GPUs) are set as limits only; Kubernetes copies them to requests.
  if (gpu !== null && gpu > 0) limits[s.gpuResource] = String(gpu)
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return undefined
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  }
}

/** The tracking URI as the pod must use it. */
export function podTrackingUri(task: StepTask, s: KubernetesSettings): string {
  return s.clusterTrackingUri ?? task.tracking.uri
}

export function podTask(task: StepTask, s: KubernetesSettings): PodTask {
  const { env: _env, workdir: _w, image: _i, resources: _r, timeoutMs: _t, ...rest } = task
  return { ...rest, tracking: { ...task.tracking, uri: podTrackingUri(task, s) } }
}

/**
 * Kubernetes expands `$(NAME)` in env values and commands (and reads `$$` as `$`); doubling every
 * `$` makes it give back exactly what the step wrote, e.g. a shell script's `$(date)`.
 */
export const escapeExpansion = (text: string): string => text.replaceAll('$', '$$$$')

function envVars(task: StepTask, s: KubernetesSettings): V1EnvVar[] {
  const uri = podTrackingUri(task, s)
  const env: Record<string, string> = { ...task.env }
  for (const name of ['MLFLOW_TRACKING_URI', 'CAIRN_TRACKING_URI']) if (name in env) env[name] = uri
  const out: V1EnvVar[] = Object.entries(env).map(([name, value]) => ({
    name,
    value: escapeExpansion(value),
  }))
  out.push(
    { name: TASK_ENV, value: escapeExpansion(JSON.stringify(podTask(task, s))) },
    { name: RESULT_FILE_ENV, value: TERMINATION_MESSAGE_PATH },
    { name: 'CAIRN_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'CAIRN_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  )
  return out
}

export function buildJob(task: StepTask, image: string, namespace: string, s: KubernetesSettings): V1Job {
  const labels = stepLabels(task)
  const annotations = {
    'cairn.dev/pipeline': task.pipeline,
    'cairn.dev/step-key': task.key,
    'cairn.dev/tracking-uri': podTrackingUri(task, s),
  }
  const res = resources(task, s)
  const envFrom = [
    ...s.secrets.map((name) => ({ secretRef: { name } })),
    ...s.configMaps.map((name) => ({ configMapRef: { name } })),
  ]
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(task), namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      ttlSecondsAfterFinished:
        s.ttlSecondsAfterFinished === 0 ? FALLBACK_TTL_SECONDS : s.ttlSecondsAfterFinished,
      // Whole seconds, rounded up: the deadline covers staging too, so it is never shorter than asked.
      ...(task.timeoutMs !== null
        ? { activeDeadlineSeconds: Math.max(1, Math.ceil(task.timeoutMs / 1000)) }
        : {}),
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          ...(s.serviceAccount ? { serviceAccountName: s.serviceAccount } : {}),
          containers: [
            {
              name: CONTAINER,
              image,
              command: s.entrypoint.map(escapeExpansion),
              env: envVars(task, s),
              ...(envFrom.length ? { envFrom } : {}),
              ...(res ? { resources: res } : {}),
              ...(s.workingDir ? { workingDir: s.workingDir } : {}),
              terminationMessagePath: TERMINATION_MESSAGE_PATH,
              // If the entrypoint dies before writing its result, the log's tail explains why.
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
        },
      },
    },
  }
}

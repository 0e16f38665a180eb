/**
 * `cairn schedule export --kubernetes`: a schedule as a batch/v1 CronJob plus the ConfigMap holding
 * its pipeline. Each fire starts a pod that runs `cairn pipeline run` on the stored pipeline with
 * the schedule's params, recording to the tracking server like any run.
 *
 * What maps and what does not (docs/pipelines.md repeats this):
 * - cron and time zone → `schedule` and `timeZone` (5 fields; a 6-field expression must have 0
 *   seconds, Kubernetes has no seconds);
 * - max-concurrent 1 → `concurrencyPolicy: Forbid`; more → `Allow` (Kubernetes cannot cap at N);
 * - paused → `suspend: true`;
 * - catch-up: Kubernetes starts at most one missed run (the newest), which is Cairn's behaviour
 *   without catch-up; Cairn's catch-up of every missed time has no CronJob equivalent and is
 *   recorded as the annotation `cairn.dev/catchup`.
 */
import { invalidParameter } from '../../protocol/errors.js'
import type { ScheduleRecord } from '../../protocol/pipeline-entities.js'

export interface CronJobOptions {
  image: string
  namespace: string
  /** Where the pod reaches the tracking server. */
  trackingUri: string
  /** Folder in the image that holds the pipeline's code (its commands' working folder). */
  workdir: string
  serviceAccountName?: string
  /** The pipeline as a file `cairn pipeline run` reads (JSON of the raw definition). */
  pipelineJson: string
}

const PIPELINE_MOUNT = '/etc/cairn'

/** A DNS-1123 label: lower case, digits and '-', at most `max` characters. */
export function k8sName(name: string, max = 52): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '')
  return s === '' ? 'cairn' : s
}

/** The cron expression Kubernetes accepts (5 fields). */
export function kubernetesCron(expr: string): string {
  const fields = expr.trim().split(/\s+/)
  if (fields.length === 5) return fields.join(' ')
  if (fields.length === 6 && fields[0] === '0') return fields.slice(1).join(' ')
  throw invalidParameter(
    `Cron expression '${expr}' fires at seconds other than 0; Kubernetes CronJobs have minute precision. Use a 5-field expression.`,
  )
}

export function cronJobManifests(s: ScheduleRecord, o: CronJobOptions): Record<string, unknown>[] {
  const name = `cairn-${k8sName(s.name, 46)}`
  const labels = {
    'app.kubernetes.io/managed-by': 'cairn',
    'app.kubernetes.io/component': 'pipeline-schedule',
    'cairn.dev/schedule': k8sName(s.name, 63),
    'cairn.dev/pipeline': k8sName(s.pipeline, 63),
  }
  const params = Object.entries(s.params).flatMap(([k, v]) => [
    '--param',
    `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  ])
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-pipeline`, namespace: o.namespace, labels },
    data: { 'pipeline.json': o.pipelineJson },
  }
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace: o.namespace,
      labels,
      annotations: {
        'cairn.dev/catchup': String(s.catchup),
        'cairn.dev/max-concurrent': String(s.maxConcurrent),
        'cairn.dev/cron': s.cron,
      },
    },
    spec: {
      schedule: kubernetesCron(s.cron),
      timeZone: s.timezone,
      concurrencyPolicy: s.maxConcurrent === 1 ? 'Forbid' : 'Allow',
      suspend: s.paused,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // Retries are per step, inside the pipeline; the orchestrator pod itself runs once.
          backoffLimit: 0,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
              containers: [
                {
                  name: 'pipeline',
                  image: o.image,
                  workingDir: o.workdir,
                  command: [
                    'cairn',
                    'pipeline',
                    'run',
                    `${PIPELINE_MOUNT}/pipeline.json`,
                    '--workdir',
                    o.workdir,
                    '--backend',
                    s.backend,
                    ...(s.experimentName ? ['--experiment', s.experimentName] : []),
                    ...params,
                  ],
                  env: [
                    { name: 'CAIRN_TRACKING_URI', value: o.trackingUri },
                    { name: 'CAIRN_SCHEDULE', value: s.name },
                  ],
                  volumeMounts: [{ name: 'pipeline', mountPath: PIPELINE_MOUNT, readOnly: true }],
                },
              ],
              volumes: [{ name: 'pipeline', configMap: { name: `${name}-pipeline` } }],
            },
          },
        },
      },
    },
  }
  return [configMap, cronJob]
}

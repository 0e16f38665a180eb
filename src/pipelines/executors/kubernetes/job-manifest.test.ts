import { Job } from 'kubernetes-models/batch/v1/Job'
import { describe, expect, it } from 'vitest'
import type { StepTask } from '../../executor.js'
import { buildJob, escapeExpansion, jobName, labelValue, TASK_ENV } from './job-manifest.js'
import { defaultSettings, parseEntrypoint, resolveSettings, type KubernetesSettings } from './options.js'
import { expand } from './test-support/stub-container.js'

const task = (over: Partial<StepTask> = {}): StepTask => ({
  key: 'fit[3]',
  step: 'fit',
  pipeline: 'sp500_daily',
  pipelineRunId: '0123456789abcdef0123456789abcdef',
  attempt: 2,
  run: { kind: 'shell', script: 'python3 train.py --lr "$CAIRN_PARAM_LR" && echo $(date)' },
  image: 'ghcr.io/acme/train:1.4',
  env: {
    MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
    CAIRN_TRACKING_URI: 'http://127.0.0.1:5000',
    MLFLOW_RUN_ID: 'fedcba9876543210fedcba9876543210',
    CAIRN_PARAM_LR: '0.01',
  },
  workdir: '/home/me/pipelines',
  resources: { cpu: '2', memory: '4Gi', gpu: 1 },
  timeoutMs: 90_500,
  tracking: { uri: 'http://127.0.0.1:5000', runId: 'fedcba9876543210fedcba9876543210' },
  inputs: {},
  outputs: { artifacts: ['model'], values: { auc: 'float' } },
  params: { lr: 0.01 },
  item: 3,
  ...over,
})

const settings = (over: Partial<KubernetesSettings> = {}): KubernetesSettings => ({
  ...defaultSettings(),
  serviceAccount: 'pipeline-runner',
  secrets: ['aws-credentials'],
  configMaps: ['feature-flags'],
  ttlSecondsAfterFinished: 600,
  ...over,
})

const envOf = (job: ReturnType<typeof buildJob>): Record<string, string | undefined> =>
  Object.fromEntries(job.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value]))

describe('the Job a step becomes', () => {
  it('is a batch/v1 Job kubernetes-models accepts, with image, entrypoint, resources, GPU, envFrom, account, TTL, deadline', () => {
    const job = buildJob(task(), 'ghcr.io/acme/train:1.4', 'ml', settings())
    expect(() => new Job(job as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow()
    expect(job.metadata!.namespace).toBe('ml')
    const spec = job.spec!
    expect(spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 91 })
    const pod = spec.template.spec!
    expect(pod.restartPolicy).toBe('Never')
    expect(pod.serviceAccountName).toBe('pipeline-runner')
    const c = pod.containers[0]!
    expect(c.image).toBe('ghcr.io/acme/train:1.4')
    expect(c.command).toEqual([
      'node',
      'node_modules/cairn/dist/pipelines/executors/kubernetes/pod-entrypoint.js',
    ])
    expect(c.resources).toEqual({
      requests: { cpu: '2', memory: '4Gi' },
      limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' },
    })
    expect(c.envFrom).toEqual([
      { secretRef: { name: 'aws-credentials' } },
      { configMapRef: { name: 'feature-flags' } },
    ])
    expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError')
  })

  it('gives the pod the tracking environment and the task, pointed at the cluster tracking URI when set', () => {
    const job = buildJob(task(), 'img:1', 'ml', settings({ clusterTrackingUri: 'http://cairn.ml.svc:5000' }))
    const env = envOf(job)
    expect(env['MLFLOW_TRACKING_URI']).toBe('http://cairn.ml.svc:5000')
    expect(env['CAIRN_TRACKING_URI']).toBe('http://cairn.ml.svc:5000')
    expect(env['MLFLOW_RUN_ID']).toBe('fedcba9876543210fedcba9876543210')
    const podTask = JSON.parse(expand(env[TASK_ENV]!, {}))
    expect(podTask.tracking).toEqual({
      uri: 'http://cairn.ml.svc:5000',
      runId: 'fedcba9876543210fedcba9876543210',
    })
    expect(podTask.outputs).toEqual({ artifacts: ['model'], values: { auc: 'float' } })
    expect(podTask).not.toHaveProperty('env')
    const fromField = job.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'CAIRN_POD_NAME')
    expect(fromField?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name')
  })

  it('labels the Job and its pod with the pipeline run, step and attempt', () => {
    const job = buildJob(task(), 'img:1', 'ml', settings())
    const expected = {
      'app.kubernetes.io/managed-by': 'cairn',
      'cairn.dev/pipeline': 'sp500_daily',
      'cairn.dev/pipeline-run-id': '0123456789abcdef0123456789abcdef',
      'cairn.dev/step': 'fit',
      'cairn.dev/step-key': 'fit-3',
      'cairn.dev/step-run-id': 'fedcba9876543210fedcba9876543210',
      'cairn.dev/attempt': '2',
    }
    expect(job.metadata!.labels).toMatchObject(expected)
    expect(job.spec!.template.metadata!.labels).toMatchObject(expected)
    expect(job.metadata!.annotations!['cairn.dev/step-key']).toBe('fit[3]')
  })

  it('leaves out resources, deadline and service account the step and settings do not ask for', () => {
    const job = buildJob(
      task({ resources: { cpu: null, memory: null, gpu: null }, timeoutMs: null }),
      'img:1',
      'ml',
      { ...defaultSettings() },
    )
    const c = job.spec!.template.spec!.containers[0]!
    expect(c.resources).toBeUndefined()
    expect(c.envFrom).toBeUndefined()
    expect(job.spec!.activeDeadlineSeconds).toBeUndefined()
    expect(job.spec!.template.spec!.serviceAccountName).toBeUndefined()
    expect(job.spec!.ttlSecondsAfterFinished).toBe(3600)
  })

  it('names Jobs as DNS labels of at most 63 characters, a new name per attempt', () => {
    const long = task({ pipeline: 'A_Very_Long_Pipeline_Name_'.repeat(4), key: 'Step With Spaces[12]' })
    const name = jobName(long)
    expect(name.length).toBeLessThanOrEqual(63)
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    expect(jobName({ ...long, attempt: 3 })).not.toBe(name)
    expect(labelValue('x'.repeat(80))).toHaveLength(63)
    expect(labelValue('[fit]')).toBe('fit')
  })

  it('escapes $ so that Kubernetes $(VAR) expansion gives back what the step wrote', () => {
    for (const text of ['echo $(date) $HOME', 'a$$(b)', '$(CAIRN_STEP)', 'cost: 5$', '$']) {
      expect(expand(escapeExpansion(text), { CAIRN_STEP: 'fit', HOME: '/root', date: 'x' })).toBe(text)
    }
    // Unescaped, the same text would change: the escape is what keeps it.
    expect(expand('$(CAIRN_STEP)', { CAIRN_STEP: 'fit' })).toBe('fit')
  })
})

describe('Kubernetes settings', () => {
  it('take flags over CAIRN_K8S_* variables over defaults', () => {
    const env = {
      CAIRN_K8S_NAMESPACE: 'from-env',
      CAIRN_K8S_IMAGE: 'env/image:1',
      CAIRN_K8S_SECRETS: 'a, b',
      CAIRN_K8S_TTL_SECONDS: '120',
      CAIRN_K8S_ENTRYPOINT: '["node", "/app/entry.js"]',
    }
    const s = resolveSettings({ namespace: 'from-flag', envFromConfigMap: ['cm'] }, env)
    expect(s).toMatchObject({
      namespace: 'from-flag',
      defaultImage: 'env/image:1',
      secrets: ['a', 'b'],
      configMaps: ['cm'],
      ttlSecondsAfterFinished: 120,
      entrypoint: ['node', '/app/entry.js'],
    })
    expect(resolveSettings({ ttl: 5 }, env).ttlSecondsAfterFinished).toBe(5)
    expect(() => resolveSettings({}, { CAIRN_K8S_TTL_SECONDS: '-1' })).toThrow('whole number of seconds')
    expect(parseEntrypoint('node  /app/x.js --flag')).toEqual(['node', '/app/x.js', '--flag'])
  })
})

/**
 * The Kubernetes executor against the stub API server (test-support/, which follows the
 * official API contract and runs containers as local processes: no cluster runs here): what it
 * sends, how pod and Job states become step results, and how API refusals are reported.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../../client/index.js'
import { startTestServer, type TestServer } from '../../../server/test-support/test-server.js'
import type { StepResult, StepTask } from '../../executor.js'
import { openKubernetesExecutor } from './open.js'
import type { KubernetesSettings } from './options.js'
import type { StubKubernetesOptions } from './test-support/stub-api-server.js'
import { stubbedExecutor, type StubbedExecutor } from './test-support/stub-executor.js'

let server: TestServer
let client: CairnClient
let workdir: string
const opened: StubbedExecutor[] = []

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, handleExit: false })
  workdir = mkdtempSync(join(tmpdir(), 'cairn-k8s-'))
})
afterAll(async () => {
  for (const o of opened) await o.close()
  await server.close()
  rmSync(workdir, { recursive: true, force: true })
})

async function open(over: Partial<KubernetesSettings> = {}, stub: StubKubernetesOptions = {}) {
  const o = await stubbedExecutor({ workingDir: workdir, ...over }, { workdir, ...stub })
  opened.push(o)
  return o
}

async function task(over: Partial<StepTask> = {}): Promise<StepTask> {
  const run = await client.startRun({ experimentName: 'k8s-executor' })
  const env = { MLFLOW_TRACKING_URI: server.url, CAIRN_TRACKING_URI: server.url, MLFLOW_RUN_ID: run.runId }
  return {
    key: 'train',
    step: 'train',
    pipeline: 'k8s-test',
    pipelineRunId: 'abc123',
    attempt: 1,
    run: { kind: 'shell', script: 'true' },
    image: 'node:20-slim',
    env,
    workdir,
    resources: { cpu: null, memory: null, gpu: null },
    timeoutMs: null,
    tracking: { uri: server.url, runId: run.runId },
    inputs: {},
    outputs: { artifacts: [], values: {} },
    params: {},
    ...over,
    ...(over.env ? { env: { ...env, ...over.env } } : {}),
  }
}

async function run(
  o: StubbedExecutor,
  t: StepTask,
  onLine: (line: string, abort: () => void) => void = () => {},
): Promise<{ result: StepResult; lines: string[] }> {
  const lines: string[] = []
  const ac = new AbortController()
  const result = await o.executor.run(t, {
    signal: ac.signal,
    log: (l) => {
      lines.push(l)
      onLine(l, () => ac.abort())
    },
  })
  return { result, lines }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25))
  return check()
}

describe('kubernetes executor: what it sends', () => {
  it('creates a valid Job with labels, resources, GPU limits, envFrom, service account and TTL', async () => {
    const o = await open(
      { serviceAccount: 'runner', secrets: ['creds'], configMaps: ['flags'], ttlSecondsAfterFinished: 900 },
      { allocatable: { 'nvidia.com/gpu': '2' } },
    )
    o.stub.cluster.addSecret('default', 'creds', { DB_PASSWORD: 's3cret' })
    o.stub.cluster.addConfigMap('default', 'flags', { MODE: 'fast' })
    const t = await task({
      run: { kind: 'shell', script: 'echo "$DB_PASSWORD $MODE $MLFLOW_RUN_ID" \'$(CAIRN_STEP)\'' },
      resources: { cpu: '500m', memory: '256Mi', gpu: 1 },
      env: { CAIRN_STEP: 'train' },
    })
    const { result, lines } = await run(o, t)
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 })
    // Secret and config map reached the step; `$(CAIRN_STEP)` was not expanded by Kubernetes.
    expect(lines).toContain(`s3cret fast ${t.tracking.runId} $(CAIRN_STEP)`)
    const post = o.stub.requests.find(
      (r) => r.method === 'POST' && r.path === '/apis/batch/v1/namespaces/default/jobs',
    )
    expect(() => new Job(post!.body as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow()
    const job = [...o.stub.cluster.store.jobs.values()][0]!
    expect(job.metadata!.labels).toMatchObject({
      'cairn.dev/pipeline': 'k8s-test',
      'cairn.dev/step': 'train',
      'cairn.dev/step-run-id': t.tracking.runId,
      'cairn.dev/attempt': '1',
    })
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 900 })
    const pod = job.spec!.template.spec!
    expect(pod.serviceAccountName).toBe('runner')
    expect(pod.containers[0]!.resources).toEqual({
      requests: { cpu: '500m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'nvidia.com/gpu': '1' },
    })
  })

  it('uses the default image for a step that names none, and fails clearly when there is none', async () => {
    const o = await open({ defaultImage: 'acme/default:2' })
    expect((await run(o, await task({ image: null }))).result.status).toBe('succeeded')
    const job = [...o.stub.cluster.store.jobs.values()][0]!
    expect(job.spec!.template.spec!.containers[0]!.image).toBe('acme/default:2')
    const bare = await open()
    const { result } = await run(bare, await task({ image: null }))
    expect(result.status).toBe('failed')
    expect(result.message).toContain('no image and no default image')
    expect(bare.stub.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
  })
})

describe('kubernetes executor: pod and Job states as step results', () => {
  it('reports an OOMKilled container as out of memory with exit code 137', async () => {
    const o = await open()
    const t = await task({
      run: { kind: 'shell', script: 'echo ready; sleep 60' },
      resources: { cpu: null, memory: '128Mi', gpu: null },
    })
    const { result } = await run(o, t, (line) => {
      if (line !== 'ready') return
      const pod = [...o.stub.cluster.store.pods.values()][0]!
      o.stub.cluster.oomKill('default', pod.metadata!.name!)
    })
    expect(result).toMatchObject({ status: 'failed', exitCode: 137 })
    expect(result.message).toBe('out of memory: the container was OOMKilled at its memory limit of 128Mi')
  })

  it('fails a step whose image cannot be pulled, without waiting for a deadline, and deletes its Job', async () => {
    const o = await open()
    const { result, lines } = await run(o, await task({ image: 'acme/does-not-exist:1' }))
    expect(result.status).toBe('failed')
    expect(result.message).toMatch(/^image 'acme\/does-not-exist:1' could not be pulled \(ImagePullBackOff\)/)
    expect(lines.some((l) => l.includes('ImagePullBackOff'))).toBe(true)
    expect(o.stub.cluster.store.jobs.size).toBe(0)
  })

  it('fails at once, naming it, when a secret given as envFrom does not exist', async () => {
    const o = await open({ secrets: ['missing-secret'] })
    const { result } = await run(o, await task())
    expect(result.status).toBe('failed')
    expect(result.message).toBe(
      'the container could not be created (CreateContainerConfigError): secret "missing-secret" not found',
    )
  })

  it('reports a container that cannot start (no entrypoint in the image) with its StartError', async () => {
    const o = await open({ entrypoint: ['/opt/no-such-node', 'entry.js'] })
    const { result } = await run(o, await task())
    expect(result).toMatchObject({ status: 'failed', exitCode: 128 })
    expect(result.message).toContain('exited with code 128 (StartError)')
    expect(result.message).toContain('/opt/no-such-node')
  })

  it('maps DeadlineExceeded to a timeout and leaves no process of the step running', async () => {
    const o = await open()
    const pidFile = join(workdir, 'deadline.pid')
    // A deadline long enough for the step to start on a loaded machine (its pid must be seen).
    const { result } = await run(
      o,
      await task({ run: { kind: 'shell', script: `echo $$ > ${pidFile}; sleep 60` }, timeoutMs: 4500 }),
    )
    expect(result).toMatchObject({ status: 'failed', timedOut: true })
    expect(result.message).toContain("the Job's activeDeadlineSeconds passed")
    const job = [...o.stub.cluster.store.jobs.values()][0]!
    expect(job.spec!.activeDeadlineSeconds).toBe(5)
    expect(job.status!.conditions!.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded')
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('cancels by deleting the Job with propagationPolicy Background; its pod and processes go', async () => {
    const o = await open()
    const pidFile = join(workdir, 'cancel.pid')
    const script = `sleep 300 & echo $! > ${pidFile}; echo started; wait`
    const { result } = await run(o, await task({ run: { kind: 'shell', script } }), (line, abort) => {
      if (line === 'started') abort()
    })
    expect(result.status).toBe('cancelled')
    const del = o.stub.requests.find((r) => r.method === 'DELETE')
    expect(del?.path).toMatch(
      /^\/apis\/batch\/v1\/namespaces\/default\/jobs\/cairn-k8s-test-train-[0-9a-f]{10}$/,
    )
    expect(del?.query['propagationPolicy']).toBe('Background')
    expect(o.stub.cluster.store.jobs.size).toBe(0)
    expect(o.stub.cluster.store.pods.size).toBe(0)
    const pid = Number(readFileSync(pidFile, 'utf8').trim())
    expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('says in the step log why a pod waits to be scheduled (no GPU node)', async () => {
    const o = await open()
    const t = await task({ resources: { cpu: null, memory: null, gpu: 1 } })
    const { result, lines } = await run(o, t, (line, abort) => {
      if (line.includes('cannot be scheduled yet')) abort()
    })
    expect(result.status).toBe('cancelled')
    expect(lines.find((l) => l.includes('cannot be scheduled yet'))).toContain(
      '1 Insufficient nvidia.com/gpu',
    )
  })

  it('lets the cluster delete a finished Job and its pod after ttlSecondsAfterFinished', async () => {
    const o = await open({ ttlSecondsAfterFinished: 1 })
    expect((await run(o, await task())).result.status).toBe('succeeded')
    expect(o.stub.cluster.store.jobs.size).toBe(1)
    expect(await eventually(() => o.stub.cluster.store.jobs.size === 0)).toBe(true)
    expect(await eventually(() => o.stub.cluster.store.pods.size === 0)).toBe(true)
  })

  it('with ttl 0, deletes the Job itself once the result is read', async () => {
    const o = await open({ ttlSecondsAfterFinished: 0 })
    const { result } = await run(o, await task({ run: { kind: 'shell', script: 'exit 5' } }))
    expect(result).toMatchObject({ status: 'failed', exitCode: 5 })
    const post = o.stub.requests.find((r) => r.method === 'POST')
    expect((post!.body as { spec: { ttlSecondsAfterFinished: number } }).spec.ttlSecondsAfterFinished).toBe(
      300,
    )
    expect(o.stub.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      query: { propagationPolicy: 'Background' },
    })
    expect(await eventually(() => o.stub.cluster.store.jobs.size === 0)).toBe(true)
    expect(await eventually(() => o.stub.cluster.store.pods.size === 0)).toBe(true)
  })

  it('brings back a result larger than a termination message through the step run artifacts', async () => {
    const o = await open()
    const big = 'x'.repeat(6000)
    const { result } = await run(
      o,
      await task({
        run: { kind: 'shell', script: `printf '%s' '${big}' > "$CAIRN_VALUE_BLOB"` },
        outputs: { artifacts: [], values: { blob: 'string' } },
      }),
    )
    expect(result.status).toBe('succeeded')
    expect(result.outputs.values['blob']).toBe(big)
  })
})

describe('kubernetes executor: API refusals', () => {
  it('says the namespace does not exist, and how to pick another', async () => {
    const o = await open({ namespace: 'nope' })
    await expect(run(o, await task())).rejects.toThrow(
      /refused to create Job cairn-k8s-test-train-[0-9a-f]+: namespaces "nope" not found \(NotFound, HTTP 404\)\. Create the namespace, or choose another with --namespace/,
    )
  })

  it('says which permission RBAC denies (403)', async () => {
    const o = await open()
    o.stub.cluster.deny({ verb: 'create', resource: 'jobs' })
    const err = await run(o, await task()).catch((e: Error) => e)
    expect((err as Error).message).toContain(
      'jobs.batch is forbidden: User "system:serviceaccount:cairn:pipeline-runner" cannot create resource "jobs" in API group "batch" in the namespace "default" (Forbidden, HTTP 403)',
    )
    expect((err as Error).message).toContain('grant it a Role')
  })

  it('says the credentials were refused (401)', async () => {
    const o = await open()
    o.stub.cluster.writeKubeconfig(o.kubeconfig, o.stub.url, 'not-the-token')
    const executor = openKubernetesExecutor(o.settings)
    const err = await executor
      .run(await task(), { signal: new AbortController().signal, log: () => {} })
      .catch((e: Error) => e)
    expect((err as Error).message).toMatch(/Unauthorized \(HTTP 401\)\. Check the credentials/)
  })

  it('fails the step with the fields the API server found invalid (422)', async () => {
    const o = await open()
    const { result } = await run(o, await task({ resources: { cpu: 'two', memory: null, gpu: null } }))
    expect(result.status).toBe('failed')
    expect(result.message).toMatch(
      /^Kubernetes refused Job .*: Job\.batch ".*" is invalid: .*spec\.template\.spec\.containers\[0\]\.resources\.requests\.cpu/,
    )
    expect(result.message).toContain('(Invalid)')
  })

  it('fails the step when a Job of that name exists already (409)', async () => {
    const o = await open()
    const t = await task()
    expect((await run(o, t)).result.status).toBe('succeeded')
    const { result } = await run(o, t)
    expect(result.status).toBe('failed')
    expect(result.message).toMatch(
      /jobs\.batch "cairn-k8s-test-train-[0-9a-f]+" already exists \(AlreadyExists\)/,
    )
  })

  it('says the API server cannot be reached', async () => {
    const o = await open()
    await o.stub.close()
    await expect(run(o, await task())).rejects.toThrow(
      /Kubernetes API at http:\/\/127\.0\.0\.1:\d+ could not be reached/,
    )
  })
})

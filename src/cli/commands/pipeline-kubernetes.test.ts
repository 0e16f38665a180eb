/**
 * `--backend kubernetes` from the CLI, against the stub Kubernetes API server (it follows the
 * official API contract and runs pods as local processes; no cluster runs here), found through a
 * kubeconfig as on a workstation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PipelinesClient } from '../../pipelines/client.js'
import {
  startStubKubernetes,
  type StubKubernetes,
} from '../../pipelines/executors/kubernetes/test-support/stub-api-server.js'
import { sourceEntrypoint } from '../../pipelines/executors/kubernetes/test-support/stub-executor.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let stub: StubKubernetes
let dir: string
let kubeconfig: string
const saved = { ...process.env }

beforeAll(async () => {
  server = await startTestServer({}, { pipelines: { scheduler: false } })
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-k8s-'))
  stub = await startStubKubernetes({
    namespaces: ['default', 'ml'],
    workdir: dir,
    allocatable: { 'nvidia.com/gpu': '1' },
  })
  kubeconfig = stub.cluster.writeKubeconfig(join(dir, 'kubeconfig'), stub.url, stub.token!, 'default')
})
afterEach(() => {
  for (const k of ['KUBECONFIG', 'HOME', 'CAIRN_K8S_ENTRYPOINT', 'KUBERNETES_SERVICE_HOST']) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
})
afterAll(async () => {
  await stub.close()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The cluster as a workstation finds it: $KUBECONFIG; Cairn's entrypoint runs from this checkout. */
function useStubCluster(): void {
  process.env['KUBECONFIG'] = kubeconfig
  process.env['CAIRN_K8S_ENTRYPOINT'] = JSON.stringify(sourceEntrypoint())
}

describe('--backend kubernetes', () => {
  it('says clearly that no kubeconfig was found', async () => {
    delete process.env['KUBECONFIG']
    delete process.env['KUBERNETES_SERVICE_HOST']
    process.env['HOME'] = dir
    const r = await runCli([
      'job',
      'submit',
      '--backend',
      'kubernetes',
      '--tracking-uri',
      server.url,
      '--',
      'true',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      `No Kubernetes configuration found (no KUBECONFIG, no ${join(dir, '.kube', 'config')}, not in a cluster)`,
    )
    expect(r.stderr).toContain('set KUBECONFIG, create ~/.kube/config, pass --kubeconfig FILE')
  })

  it('pipeline run: runs each step as a Job on the cluster, streams its output and records the run', async () => {
    useStubCluster()
    const path = join(dir, 'k8s.yaml')
    writeFileSync(
      path,
      `name: on-k8s\nsteps:\n  - { name: hello, command: "echo hello from $HOSTNAME" }\n  - { name: after, command: "echo after", dependsOn: [hello], resources: { cpu: 500m, memory: 128Mi } }\n`,
    )
    const r = await runCli([
      'pipeline',
      'run',
      path,
      '--backend',
      'kubernetes',
      '--image',
      'node:20-slim',
      '--service-account',
      'runner',
      '--logs',
      '--tracking-uri',
      server.url,
    ])
    expect(r.stderr).toMatch(/pipeline run [0-9a-f]{32} succeeded/)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/\[hello\] hello from cairn-on-k8s-hello-[0-9a-f]{10}-[a-z0-9]{5}/)
    const posts = stub.requests.filter(
      (q) => q.method === 'POST' && q.path === '/apis/batch/v1/namespaces/default/jobs',
    )
    const jobs = posts
      .map((q) => q.body as IJob)
      .filter((j) => j.metadata!.labels!['cairn.dev/pipeline'] === 'on-k8s')
    expect(jobs.map((j) => j.metadata!.labels!['cairn.dev/step'])).toEqual(['hello', 'after'])
    const pod = jobs[1]!.spec!.template.spec!
    expect(pod.serviceAccountName).toBe('runner')
    expect(pod.containers[0]!.image).toBe('node:20-slim')
    expect(pod.containers[0]!.resources!.limits).toEqual({ cpu: '500m', memory: '128Mi' })
    const runId = /pipeline run ([0-9a-f]{32})/.exec(r.stderr)![1]!
    const run = await PipelinesClient.forUri(server.url).getRun(runId)
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded'])
  })

  it('job submit: runs the command in the image on a GPU in the namespace asked, passing its exit code through', async () => {
    useStubCluster()
    const r = await runCli([
      'job',
      'submit',
      '--backend',
      'kubernetes',
      '--image',
      'acme/train:1',
      '--gpu',
      '1',
      '--namespace',
      'ml',
      '--name',
      'gpu-job',
      '--tracking-uri',
      server.url,
      '--',
      'sh',
      '-c',
      'echo on-k8s; exit 3',
    ])
    expect(r.stdout).toBe('on-k8s\n')
    expect(r.code).toBe(3)
    const post = stub.requests.find(
      (q) => q.method === 'POST' && q.path === '/apis/batch/v1/namespaces/ml/jobs',
    )
    const c = (post!.body as IJob).spec!.template.spec!.containers[0]!
    expect(c.image).toBe('acme/train:1')
    expect(c.resources!.limits).toEqual({ 'nvidia.com/gpu': '1' })
  })
})

/* eslint-disable @typescript-eslint/no-unsafe-return -- raw API JSON, read as the wire gives it */
/**
 * The stub API server answers as the Kubernetes API does (raw HTTP here, no client library), so
 * the executor's tests against it mean something.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStubKubernetes, type StubKubernetes } from './stub-api-server.js'

let stub: StubKubernetes
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stub.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${stub.token}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  }
}

const job = (name: string, command: string[], over: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: {
    backoffLimit: 0,
    template: {
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command }] },
    },
    ...over,
  },
})

/** Polls `f` until it gives something other than undefined (JSON from the API). */
async function until(f: () => Promise<any>): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const v = await f()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('condition never held')
}

beforeAll(async () => {
  stub = await startStubKubernetes()
})
afterAll(async () => stub.close())

describe('stub Kubernetes API server', () => {
  it('creates a Job (201) with server-set fields, runs its pod and marks it Complete', async () => {
    const created = await call(
      'POST',
      '/apis/batch/v1/namespaces/default/jobs',
      job('ok', ['sh', '-c', 'echo hi']),
    )
    expect(created.status).toBe(201)
    expect(created.body.metadata).toMatchObject({ name: 'ok', namespace: 'default' })
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.body.spec.template.metadata.labels['batch.kubernetes.io/job-name']).toBe('ok')
    const done = await until(async () => {
      const j = (await call('GET', '/apis/batch/v1/namespaces/default/jobs/ok')).body
      return j.status?.conditions?.some((c: { type: string }) => c.type === 'Complete') ? j : undefined
    })
    expect(done.status).toMatchObject({ succeeded: 1, active: 0 })
    const pods = await call(
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=controller-uid%3D${created.body.metadata.uid}`,
    )
    expect(pods.body.kind).toBe('PodList')
    const pod = pods.body.items[0]
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'ok', controller: true })
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    })
    const log = await call('GET', `/api/v1/namespaces/default/pods/${pod.metadata.name}/log?container=main`)
    expect(log).toEqual({ status: 200, body: 'hi\n' })
  })

  it('answers 422 Invalid, listing the fields, for a Job kubernetes-models or the API rules refuse', async () => {
    const bad = job('bad', ['true'], { backoffLimit: 'six' })
    ;(bad.spec.template.spec.containers[0] as Record<string, unknown>)['image'] = ''
    const r = await call('POST', '/apis/batch/v1/namespaces/default/jobs', bad)
    expect(r.status).toBe(422)
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 })
    expect(r.body.message).toMatch(
      /^Job\.batch "bad" is invalid: \[spec\.backoffLimit: .*must be integer.*, spec\.template\.spec\.containers\[0\]\.image: Required value\]$/,
    )
    expect(r.body.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'spec.backoffLimit',
      'spec.template.spec.containers[0].image',
    ])
  })

  it('answers 404 and 409 Status objects in the API server words', async () => {
    expect((await call('GET', '/apis/batch/v1/namespaces/default/jobs/none')).body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'jobs.batch "none" not found',
      details: { name: 'none', group: 'batch', kind: 'jobs' },
    })
    const again = await call('POST', '/apis/batch/v1/namespaces/default/jobs', job('ok', ['true']))
    expect(again.body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'jobs.batch "ok" already exists',
    })
    const noNs = await call('POST', '/apis/batch/v1/namespaces/ghost/jobs', job('x', ['true']))
    expect(noNs.body).toMatchObject({ code: 404, message: 'namespaces "ghost" not found' })
    expect((await fetch(`${stub.url}/api/v1/namespaces/default/pods`)).status).toBe(401)
  })

  it('orphans the pods of a Job deleted without a propagation policy (the batch/v1 default)', async () => {
    await call('POST', '/apis/batch/v1/namespaces/default/jobs', job('orphan', ['sleep', '30']))
    const pod = await until(async () => {
      const items = (await call('GET', '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dorphan'))
        .body.items
      return items[0]?.status?.phase === 'Running' ? items[0] : undefined
    })
    const del = await call('DELETE', '/apis/batch/v1/namespaces/default/jobs/orphan')
    expect(del.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'orphan', kind: 'jobs' },
    })
    await new Promise((r) => setTimeout(r, 100))
    const still = await call('GET', `/api/v1/namespaces/default/pods/${pod.metadata.name}`)
    expect(still.body.status.phase).toBe('Running')
    expect(still.body.metadata.ownerReferences).toEqual([])
    await call('DELETE', `/api/v1/namespaces/default/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0 })
  })

  it('refuses to log a container that has not started, as the kubelet does', async () => {
    await call('POST', '/apis/batch/v1/namespaces/default/jobs', {
      ...job('pull', ['true']),
      spec: {
        ...job('pull', ['true']).spec,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'acme/does-not-exist:2' }] },
        },
      },
    })
    const pod = await until(async () => {
      const p = (await call('GET', '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dpull')).body
        .items[0]
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined
    })
    const log = await call('GET', `/api/v1/namespaces/default/pods/${pod.metadata.name}/log?container=main`)
    expect(log.body).toMatchObject({
      code: 400,
      message: `container "main" in pod "${pod.metadata.name}" is waiting to start: trying and failing to pull image`,
    })
  })
})

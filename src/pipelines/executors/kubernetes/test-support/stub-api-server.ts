/**
 * A stub Kubernetes API server for tests. It is NOT a cluster: it follows the official API's
 * contract (paths, verbs, query parameters, object shapes, `Status` errors) for what the Cairn
 * executor uses, and "runs" pods as local child processes (stub-kubelet.ts). No cluster can run
 * on this machine; this is what the Kubernetes executor and `--backend kubernetes` are tested
 * against. See README.md beside it for what it does and does not do.
 *
 * Endpoints (bearer-token auth; a denial rule answers 403 as RBAC would):
 *   POST   /apis/batch/v1/namespaces/{ns}/jobs           (validated with kubernetes-models: 422)
 *   GET    /apis/batch/v1/namespaces/{ns}/jobs[?labelSelector=]
 *   GET    /apis/batch/v1/namespaces/{ns}/jobs/{name}
 *   DELETE /apis/batch/v1/namespaces/{ns}/jobs/{name}    (propagationPolicy: query or DeleteOptions)
 *   GET    /api/v1/namespaces/{ns}/pods[?labelSelector=]
 *   GET    /api/v1/namespaces/{ns}/pods/{name}
 *   DELETE /api/v1/namespaces/{ns}/pods/{name}
 *   GET    /api/v1/namespaces/{ns}/pods/{name}/log[?container=&follow=&timestamps=&sinceTime=&tailLines=]
 *   GET    /version
 * `watch=true` is refused (the executor polls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseLabelSelector } from './label-selector.js'
import { StubCluster, type StubClusterOptions } from './stub-cluster.js'
import type { PropagationPolicy } from './stub-job-controller.js'
import type { LogLine } from './stub-container.js'
import {
  badRequest,
  methodNotAllowed,
  noSuchResource,
  StubApiError,
  success,
  unauthorized,
} from './stub-status.js'

export interface StubRequest {
  method: string
  path: string
  query: Record<string, string>
  body?: unknown
}

export interface StubKubernetesOptions extends StubClusterOptions {
  /** The bearer token clients must send (default `stub-token`; null: no auth). */
  token?: string | null
  /** Who the token is, in 403 messages. */
  user?: string
}

export interface StubKubernetes {
  url: string
  token: string | null
  cluster: StubCluster
  /** Every request, in order (method, path, query, JSON body). */
  requests: StubRequest[]
  close(): Promise<void>
}

type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  m: RegExpExecArray,
  q: URLSearchParams,
) => Promise<void>

const json = (res: ServerResponse, code: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`)
  }
}

const list = (kind: string, apiVersion: string, rv: string, items: unknown[]) => ({
  kind,
  apiVersion,
  metadata: { resourceVersion: rv },
  items,
})

function forbidden(user: string, verb: string, resource: string, ns: string, name?: string): StubApiError {
  const group = resource === 'jobs' ? 'batch' : ''
  const subject = `${resource}${group ? `.${group}` : ''}${name ? ` "${name}"` : ''}`
  return new StubApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${ns}"`,
    { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource.split('/')[0]! },
  )
}

export async function startStubKubernetes(o: StubKubernetesOptions = {}): Promise<StubKubernetes> {
  const cluster = new StubCluster(o)
  const token = o.token === undefined ? 'stub-token' : o.token
  const user = o.user ?? 'system:serviceaccount:cairn:pipeline-runner'
  const requests: StubRequest[] = []
  const authorize = (verb: string, resource: string, ns: string, name?: string): void => {
    if (cluster.denied(verb, resource, ns)) throw forbidden(user, verb, resource, ns, name)
  }

  const jobsRoute: Route = async (req, res, m, q) => {
    const ns = decodeURIComponent(m[1]!)
    if (req.method === 'POST') {
      authorize('create', 'jobs', ns)
      const body = await readBody(req)
      requests[requests.length - 1]!.body = body
      const job = cluster.createJob(ns, body)
      json(res, 201, job)
    } else if (req.method === 'GET') {
      authorize('list', 'jobs', ns)
      const match = parseLabelSelector(q.get('labelSelector'))
      const items = cluster.store.jobsIn(ns).filter((j) => match(j.metadata?.labels))
      json(res, 200, list('JobList', 'batch/v1', cluster.store.resourceVersion, items))
    } else throw methodNotAllowed()
  }

  const jobRoute: Route = async (req, res, m, q) => {
    const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)]
    if (req.method === 'GET') {
      authorize('get', 'jobs', ns, name)
      json(res, 200, cluster.job(ns, name))
    } else if (req.method === 'DELETE') {
      authorize('delete', 'jobs', ns, name)
      const body = ((await readBody(req)) ?? {}) as Record<string, unknown>
      requests[requests.length - 1]!.body = body
      let policy = (q.get('propagationPolicy') ?? body['propagationPolicy']) as string | undefined
      const orphan = q.get('orphanDependents') ?? body['orphanDependents']
      if (policy === undefined && orphan !== undefined)
        policy = orphan === true || orphan === 'true' ? 'Orphan' : 'Background'
      // batch/v1 keeps the old default: a Job deleted without a policy orphans its pods.
      policy ??= 'Orphan'
      if (!['Background', 'Foreground', 'Orphan'].includes(policy))
        throw badRequest(`DeleteOptions.propagationPolicy: Unsupported value: "${policy}"`)
      const { job, gone } = cluster.deleteJob(ns, name, policy as PropagationPolicy)
      if (gone) json(res, 200, success({ name, group: 'batch', kind: 'jobs', uid: job.metadata!.uid! }))
      else json(res, 202, job)
    } else throw methodNotAllowed()
  }

  const podsRoute: Route = async (req, res, m, q) => {
    const ns = decodeURIComponent(m[1]!)
    if (req.method !== 'GET') throw methodNotAllowed()
    authorize('list', 'pods', ns)
    const match = parseLabelSelector(q.get('labelSelector'))
    const items = cluster.store.podsIn(ns).filter((p) => match(p.metadata?.labels))
    json(res, 200, list('PodList', 'v1', cluster.store.resourceVersion, items))
  }

  const podRoute: Route = async (req, res, m) => {
    const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)]
    if (req.method === 'GET') {
      authorize('get', 'pods', ns, name)
      json(res, 200, cluster.pod(ns, name))
    } else if (req.method === 'DELETE') {
      authorize('delete', 'pods', ns, name)
      const pod = cluster.pod(ns, name)
      const body = ((await readBody(req)) ?? {}) as Record<string, unknown>
      cluster.kubelet.deletePod(
        pod,
        typeof body['gracePeriodSeconds'] === 'number' ? body['gracePeriodSeconds'] : undefined,
      )
      json(res, 200, pod)
    } else throw methodNotAllowed()
  }

  const logRoute: Route = async (req, res, m, q) => {
    const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)]
    if (req.method !== 'GET') throw methodNotAllowed()
    authorize('get', 'pods/log', ns, name)
    const pod = cluster.pod(ns, name)
    const names = pod.spec!.containers.map((c) => c.name)
    const container = q.get('container') ?? (names.length === 1 ? names[0]! : '')
    if (!container)
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
      )
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`)
    if (q.get('previous') === 'true')
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`)
    const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state
    const log = cluster.podLog(ns, name)
    if (!log || (!state?.running && !state?.terminated)) {
      const reason = state?.waiting?.reason ?? 'ContainerCreating'
      const why =
        reason === 'ErrImagePull' || reason === 'ImagePullBackOff'
          ? 'trying and failing to pull image'
          : reason
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${why}`)
    }
    const since = q.get('sinceTime') ? Date.parse(q.get('sinceTime')!) : null
    if (since !== null && Number.isNaN(since))
      throw badRequest(`sinceTime: invalid time "${q.get('sinceTime')}"`)
    const stamps = q.get('timestamps') === 'true'
    const fmt = (l: LogLine): string => `${stamps ? `${l.ts} ` : ''}${l.text}\n`
    const keep = (l: LogLine): boolean => since === null || Date.parse(l.ts) >= since
    let lines = log.lines.filter(keep)
    const tail = q.get('tailLines')
    if (tail !== null) lines = lines.slice(-Number(tail))
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' })
    for (const l of lines) res.write(fmt(l))
    if (q.get('follow') !== 'true' || log.ended) {
      res.end()
      return
    }
    const stop = log.follow((l) => {
      if (l === null) res.end()
      else if (keep(l)) res.write(fmt(l))
    })
    res.on('close', stop)
  }

  const routes: [RegExp, Route][] = [
    [/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/?$/, jobsRoute],
    [/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/, jobRoute],
    [/^\/api\/v1\/namespaces\/([^/]+)\/pods\/?$/, podsRoute],
    [/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/, podRoute],
    [/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/, logRoute],
  ]

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stub')
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
    })
    if (token !== null && req.headers.authorization !== `Bearer ${token}`) throw unauthorized()
    if (url.pathname === '/version') {
      json(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-cairn-stub', platform: 'linux/amd64' })
      return
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
      throw badRequest('watch is not implemented by the Cairn stub API server (the executor polls)')
    for (const [re, route] of routes) {
      const m = re.exec(url.pathname)
      if (m) return route(req, res, m, url.searchParams)
    }
    throw noSuchResource()
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e =
        err instanceof StubApiError ? err : new StubApiError(500, 'InternalError', (err as Error).message)
      if (res.headersSent) res.destroy()
      else json(res, e.code, e.toStatus())
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    token,
    cluster,
    requests,
    close: async () => {
      cluster.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

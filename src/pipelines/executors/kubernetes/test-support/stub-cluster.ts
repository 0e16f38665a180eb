/**
 * The stub cluster behind the stub API server: one store, one Job controller, one node's kubelet,
 * wired as a control plane is (the API server writes objects; controllers and the kubelet react).
 * Test controls (secrets, config maps, namespaces, RBAC denials, an OOM kill) are methods here:
 * on a real cluster they would be kubectl commands or the kernel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import type { IPod } from 'kubernetes-models/v1/Pod'
import { StubJobController, type PropagationPolicy } from './stub-job-controller.js'
import type { ContainerLog } from './stub-container.js'
import { StubKubelet, type KubeletOptions } from './stub-kubelet.js'
import { key, StubStore } from './stub-store.js'
import { alreadyExists, notFound, StubApiError } from './stub-status.js'
import { validateJob } from './stub-validate.js'

export interface StubClusterOptions {
  /** Namespaces that exist (default: `default`). */
  namespaces?: string[]
  /** Where containers without workingDir run (default: the process's folder). */
  workdir?: string
  /** The node's allocatable resources (default: 8 cpu, 32Gi, no GPU). */
  allocatable?: Record<string, string>
  unpullable?: (image: string) => boolean
  pullBackoffMs?: number
  startDelayMs?: number
}

export interface Denial {
  verb: 'create' | 'get' | 'list' | 'delete'
  resource: 'jobs' | 'pods' | 'pods/log'
  namespace?: string
}

export const JOBS = { resource: 'jobs', group: 'batch' }
export const PODS = { resource: 'pods', group: '' }

export class StubCluster {
  readonly store = new StubStore()
  readonly kubelet: StubKubelet
  readonly jobs: StubJobController
  readonly denials: Denial[] = []
  private readonly scratch: string

  constructor(o: StubClusterOptions = {}) {
    for (const ns of o.namespaces ?? ['default']) this.store.namespaces.add(ns)
    this.scratch = mkdtempSync(join(tmpdir(), 'cairn-stub-k8s-'))
    const opts: KubeletOptions = {
      workdir: o.workdir ?? process.cwd(),
      allocatable: { cpu: '8', memory: '32Gi', pods: '110', ...o.allocatable },
      unpullable: o.unpullable ?? ((image) => /(^|\/)does-not-exist([:@]|$)/.test(image)),
      pullBackoffMs: o.pullBackoffMs ?? 100,
      startDelayMs: o.startDelayMs ?? 10,
      scratchDir: this.scratch,
    }
    this.kubelet = new StubKubelet(
      {
        store: this.store,
        podChanged: (pod) => this.jobs.podChanged(pod),
        podRemoved: (pod) => this.jobs.podRemoved(pod),
      },
      opts,
    )
    this.jobs = new StubJobController({
      store: this.store,
      admit: (pod) => this.kubelet.admit(pod),
      deletePod: (pod, grace) => this.kubelet.deletePod(pod, grace),
    })
  }

  addNamespace(ns: string): void {
    this.store.namespaces.add(ns)
  }

  addSecret(ns: string, name: string, data: Record<string, string>): void {
    this.store.secrets.set(key(ns, name), data)
  }

  addConfigMap(ns: string, name: string, data: Record<string, string>): void {
    this.store.configMaps.set(key(ns, name), data)
  }

  /** Makes the API answer 403 to that verb on that resource (in that namespace, or all). */
  deny(d: Denial): void {
    this.denials.push(d)
  }

  denied(verb: string, resource: string, ns: string): boolean {
    return this.denials.some((d) => d.verb === verb && d.resource === resource && (d.namespace ?? ns) === ns)
  }

  createJob(ns: string, body: unknown): IJob {
    if (!this.store.namespaces.has(ns))
      throw new StubApiError(404, 'NotFound', `namespaces "${ns}" not found`, {
        name: ns,
        kind: 'namespaces',
      })
    const job = validateJob(body, ns)
    const name = job.metadata!.name!
    if (this.store.jobs.has(key(ns, name))) throw alreadyExists(JOBS, name)
    this.store.jobs.set(key(ns, name), this.jobs.defaults(job, ns))
    // The controller picks the Job up after the API call returns, as it would from its watch.
    setImmediate(() => {
      if (this.store.jobs.get(key(ns, name)) === job) this.jobs.started(job)
    })
    return job
  }

  job(ns: string, name: string): IJob {
    const job = this.store.jobs.get(key(ns, name))
    if (!job) throw notFound(JOBS, name)
    return job
  }

  deleteJob(ns: string, name: string, policy: PropagationPolicy): { job: IJob; gone: boolean } {
    const job = this.job(ns, name)
    return { job, gone: this.jobs.delete(job, policy) }
  }

  pod(ns: string, name: string): IPod {
    const pod = this.store.pods.get(key(ns, name))
    if (!pod) throw notFound(PODS, name)
    return pod
  }

  podLog(ns: string, name: string): ContainerLog | undefined {
    return this.kubelet.log(ns, name)
  }

  oomKill(ns: string, pod: string): boolean {
    return this.kubelet.oomKill(ns, pod)
  }

  /** A kubeconfig whose current context points at `server` with this token (and namespace). */
  writeKubeconfig(path: string, server: string, token: string, namespace?: string): string {
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: stub',
        '    cluster:',
        `      server: ${server}`,
        // client-node 1.x refuses a plain-http server unless TLS verification is off for it.
        ...(server.startsWith('http:') ? ['      insecure-skip-tls-verify: true'] : []),
        'users:',
        '  - name: stub',
        '    user:',
        `      token: ${token}`,
        'contexts:',
        '  - name: stub',
        '    context:',
        '      cluster: stub',
        '      user: stub',
        ...(namespace ? [`      namespace: ${namespace}`] : []),
        'current-context: stub',
        '',
      ].join('\n'),
    )
    return path
  }

  close(): void {
    this.jobs.shutdown()
    this.kubelet.shutdown()
    rmSync(this.scratch, { recursive: true, force: true })
  }
}

/**
 * The stub's Job controller, TTL controller and garbage collector, doing what kube-controller-
 * manager does for the Jobs the executor makes: defaults and selector labels on create, one pod
 * per attempt (owned by the Job, labelled `controller-uid` / `job-name` and their
 * `batch.kubernetes.io/` forms), status counts and `Complete` / `Failed` conditions (with
 * `SuccessCriteriaMet` / `FailureTarget` first, as Kubernetes 1.31+ does), a new pod while
 * failures stay within backoffLimit, `DeadlineExceeded` after activeDeadlineSeconds (its pods
 * deleted), deletion `ttlSecondsAfterFinished` after the end, and the propagation policies of a
 * delete: Background (pods deleted after the Job), Foreground (the Job waits for its pods), Orphan
 * (pods left running: the API's default for batch/v1 Jobs).
 */
import { randomBytes } from 'node:crypto'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import type { IPod } from 'kubernetes-models/v1/Pod'
import { key, timestamp, type StubStore } from './stub-store.js'

export interface JobControllerHost {
  store: StubStore
  admit(pod: IPod): void
  deletePod(pod: IPod, graceSeconds?: number): void
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan'

const suffix = (): string => Array.from(randomBytes(5), (b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('')

export class StubJobController {
  private readonly timers = new Map<string, NodeJS.Timeout[]>()
  private readonly gc = new Set<NodeJS.Timeout>()

  constructor(private readonly host: JobControllerHost) {}

  private later(job: IJob, ms: number, fn: () => void): void {
    const k = job.metadata!.uid!
    const list = this.timers.get(k) ?? []
    list.push(setTimeout(fn, ms))
    this.timers.set(k, list)
  }

  /** What the API server fills in when a Job is created. */
  defaults(job: IJob, ns: string): IJob {
    const uid = this.host.store.uid()
    const spec = job.spec!
    const selectorLabels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': job.metadata!.name!,
      'controller-uid': uid,
      'job-name': job.metadata!.name!,
    }
    job.metadata = {
      ...job.metadata,
      namespace: ns,
      uid,
      creationTimestamp: timestamp(),
      generation: 1,
      labels: { ...selectorLabels, ...job.metadata!.labels },
    }
    job.spec = {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      ...spec,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: {
        ...spec.template,
        metadata: {
          ...spec.template.metadata,
          labels: { ...spec.template.metadata?.labels, ...selectorLabels },
        },
      },
    }
    job.status = {}
    return this.host.store.touch(job)
  }

  /** The controller sees a new Job: it starts, its deadline runs, its first pod is made. */
  started(job: IJob): void {
    job.status = { startTime: timestamp(), active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {} }
    this.host.store.touch(job)
    const deadline = job.spec!.activeDeadlineSeconds
    if (deadline !== undefined) this.later(job, deadline * 1000, () => this.deadline(job))
    this.createPod(job)
  }

  private createPod(job: IJob): void {
    const tpl = job.spec!.template
    const name = `${job.metadata!.name}-${suffix()}`
    const ns = job.metadata!.namespace!
    const pod: IPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${job.metadata!.name}-`,
        namespace: ns,
        uid: this.host.store.uid(),
        creationTimestamp: timestamp(),
        labels: { ...tpl.metadata?.labels },
        ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: job.metadata!.name!,
            uid: job.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        serviceAccountName: 'default',
        ...structuredClone(tpl.spec!),
        containers: tpl.spec!.containers.map((c) => ({
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: /:(?!latest$)[^/]+$/.test(c.image ?? '') ? 'IfNotPresent' : 'Always',
          ...structuredClone(c),
        })),
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    }
    pod.spec!.serviceAccount = pod.spec!.serviceAccountName
    this.host.store.pods.set(key(ns, name), this.host.store.touch(pod))
    job.status!.active = (job.status!.active ?? 0) + 1
    this.host.store.touch(job)
    this.host.admit(pod)
  }

  private ownerOf(pod: IPod): IJob | undefined {
    const ref = pod.metadata!.ownerReferences?.find((o) => o.kind === 'Job' && o.controller)
    if (!ref) return undefined
    return [...this.host.store.jobs.values()].find((j) => j.metadata!.uid === ref.uid)
  }

  private finished(job: IJob): boolean {
    return (job.status?.conditions ?? []).some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    )
  }

  private end(job: IJob, outcome: 'Complete' | 'Failed', reason?: string, message?: string): void {
    const now = timestamp()
    const condition = (type: string, r?: string, m?: string) => ({
      type,
      status: 'True',
      lastProbeTime: now,
      lastTransitionTime: now,
      ...(r ? { reason: r } : {}),
      ...(m ? { message: m } : {}),
    })
    job.status!.conditions =
      outcome === 'Complete'
        ? [
            condition(
              'SuccessCriteriaMet',
              'CompletionsReached',
              'Reached expected number of succeeded pods',
            ),
            condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          ]
        : [condition('FailureTarget', reason, message), condition('Failed', reason, message)]
    if (outcome === 'Complete') job.status!.completionTime = now
    job.status!.active = 0
    job.status!.ready = 0
    this.host.store.touch(job)
    const ttl = job.spec!.ttlSecondsAfterFinished
    if (ttl !== undefined) this.later(job, ttl * 1000, () => this.delete(job, 'Background'))
  }

  /** A pod of a Job changed: count it, end the Job or replace the pod. */
  podChanged(pod: IPod): void {
    const job = this.ownerOf(pod)
    if (!job || this.finished(job)) return
    const phase = pod.status?.phase
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      job.status!.ready = pod.status?.containerStatuses?.[0]?.ready ? 1 : 0
      this.host.store.touch(job)
      return
    }
    job.status!.active = Math.max(0, (job.status!.active ?? 1) - 1)
    if (phase === 'Succeeded') {
      job.status!.succeeded = (job.status!.succeeded ?? 0) + 1
      this.end(job, 'Complete')
      return
    }
    job.status!.failed = (job.status!.failed ?? 0) + 1
    if (job.status!.failed > (job.spec!.backoffLimit ?? 6))
      this.end(job, 'Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')
    else this.createPod(job)
  }

  podRemoved(pod: IPod): void {
    const job = this.ownerOf(pod)
    if (job?.metadata!.deletionTimestamp && this.host.store.podsOf(job).length === 0) this.removeJob(job)
  }

  private deadline(job: IJob): void {
    if (this.finished(job) || !this.host.store.jobs.has(key(job.metadata!.namespace!, job.metadata!.name!)))
      return
    const pods = this.host.store
      .podsOf(job)
      .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    job.status!.failed = (job.status!.failed ?? 0) + pods.length
    this.end(job, 'Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')
    for (const p of pods) this.host.deletePod(p)
  }

  private removeJob(job: IJob): void {
    for (const t of this.timers.get(job.metadata!.uid!) ?? []) clearTimeout(t)
    this.timers.delete(job.metadata!.uid!)
    this.host.store.jobs.delete(key(job.metadata!.namespace!, job.metadata!.name!))
  }

  /** DELETE on a Job; true when it is gone at once (no finalizer holds it). */
  delete(job: IJob, policy: PropagationPolicy): boolean {
    const pods = this.host.store.podsOf(job)
    if (policy === 'Orphan') {
      for (const p of pods) {
        p.metadata!.ownerReferences = p.metadata!.ownerReferences?.filter((o) => o.uid !== job.metadata!.uid)
        this.host.store.touch(p)
      }
      this.removeJob(job)
      return true
    }
    if (policy === 'Foreground' && pods.length > 0) {
      job.metadata!.deletionTimestamp = timestamp()
      job.metadata!.finalizers = ['foregroundDeletion']
      this.host.store.touch(job)
      for (const p of pods) this.host.deletePod(p)
      return false
    }
    this.removeJob(job)
    // The garbage collector notices the orphans a moment after the owner is gone.
    const t = setTimeout(() => {
      this.gc.delete(t)
      for (const p of pods)
        if (this.host.store.pods.has(key(p.metadata!.namespace!, p.metadata!.name!))) this.host.deletePod(p)
    }, 10)
    this.gc.add(t)
    return true
  }

  shutdown(): void {
    for (const list of this.timers.values()) for (const t of list) clearTimeout(t)
    this.timers.clear()
    for (const t of this.gc) clearTimeout(t)
    this.gc.clear()
  }
}

/**
 * The stub cluster's objects (what etcd holds on a real one): namespaces, Jobs, pods, secrets and
 * config maps, each stamped with a uid, a resourceVersion and second-precision timestamps as the
 * API server does.
 */
import { randomUUID } from 'node:crypto'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import type { IPod } from 'kubernetes-models/v1/Pod'

export const key = (ns: string, name: string): string => `${ns}/${name}`

/** RFC 3339 with seconds, as metav1.Time is serialized. */
export const timestamp = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export class StubStore {
  readonly namespaces = new Set<string>()
  readonly jobs = new Map<string, IJob>()
  readonly pods = new Map<string, IPod>()
  /** Decoded secret data by `ns/name`. */
  readonly secrets = new Map<string, Record<string, string>>()
  readonly configMaps = new Map<string, Record<string, string>>()
  private rv = 1000

  /** Stamps a change: a new resourceVersion. */
  touch<T extends { metadata?: { resourceVersion?: string } }>(obj: T): T {
    obj.metadata = { ...obj.metadata, resourceVersion: String(++this.rv) }
    return obj
  }

  get resourceVersion(): string {
    return String(this.rv)
  }

  uid(): string {
    return randomUUID()
  }

  jobsIn(ns: string): IJob[] {
    return [...this.jobs.values()].filter((j) => j.metadata!.namespace === ns)
  }

  podsIn(ns: string): IPod[] {
    return [...this.pods.values()].filter((p) => p.metadata!.namespace === ns)
  }

  podsOf(job: IJob): IPod[] {
    const uid = job.metadata!.uid
    return [...this.pods.values()].filter((p) => p.metadata!.ownerReferences?.some((o) => o.uid === uid))
  }
}

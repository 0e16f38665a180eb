/**
 * The few API calls the executor makes, through @kubernetes/client-node: create, read and delete
 * a Job, list its pods, follow a container's log. Kept behind an interface so the executor's
 * logic reads as what it asks the cluster, not how.
 */
import { Writable } from 'node:stream'
import { BatchV1Api, CoreV1Api, Log, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node'
import { apiStatus } from './api-errors.js'

export interface LogStream {
  /** Resolves when the server ends the stream (the container stopped) or it breaks. */
  done: Promise<void>
  abort(): void
}

export interface LogTarget {
  namespace: string
  pod: string
  container: string
  /** RFC 3339; from the start when null. */
  sinceTime: string | null
}

export interface KubeApi {
  /** The API server's URL, for messages. */
  readonly server: string
  createJob(namespace: string, job: V1Job): Promise<V1Job>
  /** null when the Job does not exist (any more). */
  readJob(namespace: string, name: string): Promise<V1Job | null>
  /** Deletes the Job and, in the background, its pods; a Job already gone is fine. */
  deleteJob(namespace: string, name: string): Promise<void>
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>
  /** Follows one container's log from `sinceTime` (RFC 3339), each line timestamped by the kubelet. */
  followLog(target: LogTarget, write: (chunk: string) => void): Promise<LogStream>
}

const isNotFound = (err: unknown): boolean => apiStatus(err)?.code === 404

export class ClientNodeApi implements KubeApi {
  readonly server: string
  private readonly batch: BatchV1Api
  private readonly core: CoreV1Api
  private readonly logs: Log

  constructor(kc: KubeConfig) {
    this.server = kc.getCurrentCluster()?.server ?? '(no cluster)'
    this.batch = kc.makeApiClient(BatchV1Api)
    this.core = kc.makeApiClient(CoreV1Api)
    this.logs = new Log(kc)
  }

  createJob(namespace: string, job: V1Job): Promise<V1Job> {
    return this.batch.createNamespacedJob({ namespace, body: job })
  }

  async readJob(namespace: string, name: string): Promise<V1Job | null> {
    try {
      return await this.batch.readNamespacedJob({ namespace, name })
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  async deleteJob(namespace: string, name: string): Promise<void> {
    try {
      // Background: the Job goes now and the garbage collector deletes its pods (the kubelet
      // stops them with SIGTERM). The API's default for Jobs is to orphan the pods, which would
      // leave the step running.
      await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' })
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items
  }

  async followLog(target: LogTarget, write: (chunk: string) => void): Promise<LogStream> {
    const { namespace, pod, container, sinceTime } = target
    let finish: () => void = () => {}
    const done = new Promise<void>((r) => (finish = r))
    const sink = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
        cb()
      },
      final(cb) {
        finish()
        cb()
      },
    })
    sink.on('error', finish)
    sink.on('close', finish)
    const controller = await this.logs.log(namespace, pod, container, sink, {
      follow: true,
      timestamps: true,
      ...(sinceTime ? { sinceTime } : {}),
    })
    controller.signal.addEventListener('abort', finish)
    return { done, abort: () => controller.abort() }
  }
}

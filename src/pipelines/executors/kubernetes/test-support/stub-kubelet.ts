/**
 * The stub's kubelet (and scheduler, and container runtime): it "runs" a pod by executing its
 * container's command as a child process on this machine, in its own process group, and writes
 * the pod status and container log as a kubelet would: scheduling (a pod that asks for more than
 * the one node has stays Pending, Unschedulable), ContainerCreating, image pull failures
 * (InvalidImageName, ErrImagePull then ImagePullBackOff), CreateContainerConfigError for a
 * missing secret or config map, Running, then Terminated with the exit code, reason (Completed,
 * Error, OOMKilled, StartError) and the termination message. Deleting a pod sends SIGTERM and,
 * after the grace period, SIGKILL. Environment: envFrom, env (value, fieldRef, secretKeyRef,
 * configMapKeyRef) and `$(VAR)` expansion as Kubernetes does it.
 *
 * What a process on the host cannot be, it is not: there is no image (the command runs with this
 * machine's programs, PATH and HOME), no memory limit (tests call `oomKill`), and the termination
 * message file cannot be mounted at its path, so each container gets a host file instead and
 * environment values or arguments naming `terminationMessagePath` are pointed at it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { IPod } from 'kubernetes-models/v1/Pod'
import { parseQuantity } from './stub-validate.js'
import { ContainerLog, expand, killMarked, MARK } from './stub-container.js'
import { key, timestamp, type StubStore } from './stub-store.js'

export interface KubeletOptions {
  /** The "image's WORKDIR": where a container without workingDir runs. */
  workdir: string
  /** The single node's allocatable resources. */
  allocatable: Record<string, string>
  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  unpullable: (image: string) => boolean
  pullBackoffMs: number
  /** How long a container is ContainerCreating. */
  startDelayMs: number
  /** Where termination message files go. */
  scratchDir: string
}

export interface KubeletHost {
  store: StubStore
  podChanged(pod: IPod): void
  podRemoved(pod: IPod): void
}

interface Running {
  child: ChildProcess | null
  log: ContainerLog
  oom: boolean
  terminationFile: string
  timers: NodeJS.Timeout[]
}

const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }

export class StubKubelet {
  private readonly running = new Map<string, Running>()
  private podIp = 10

  constructor(
    private readonly host: KubeletHost,
    private readonly o: KubeletOptions,
  ) {}

  log(ns: string, name: string): ContainerLog | undefined {
    return this.running.get(key(ns, name))?.log
  }

  private update(pod: IPod): void {
    this.host.store.touch(pod)
    this.host.podChanged(pod)
  }

  private setContainer(pod: IPod, state: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    const c = pod.spec!.containers[0]!
    const prev = pod.status?.containerStatuses?.[0]
    pod.status!.containerStatuses = [
      {
        name: c.name,
        image: c.image!,
        imageID: prev?.imageID ?? '',
        ready: false,
        restartCount: 0,
        started: false,
        state,
        ...extra,
      },
    ]
  }

  /** Schedules the pod on the one node and starts its container. */
  admit(pod: IPod): void {
    const k = key(pod.metadata!.namespace!, pod.metadata!.name!)
    const run: Running = {
      child: null,
      log: new ContainerLog(),
      oom: false,
      terminationFile: join(
        this.o.scratchDir,
        `${pod.metadata!.namespace}-${pod.metadata!.name}.termination-log`,
      ),
      timers: [],
    }
    this.running.set(k, run)
    const c = pod.spec!.containers[0]!
    const asked = { ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) } as Record<
      string,
      string
    >
    for (const [res, q] of Object.entries({ ...asked, ...(c.resources?.requests ?? {}) })) {
      const have = parseQuantity(this.o.allocatable[res] ?? '0') ?? 0
      if ((parseQuantity(q) ?? 0) > have) {
        pod.status!.conditions = [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            lastTransitionTime: timestamp(),
            message: `0/1 nodes are available: 1 Insufficient ${res}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`,
          },
        ]
        this.update(pod)
        return
      }
    }
    pod.spec!.nodeName = 'stub-node'
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      hostIP: '10.0.0.2',
      podIP: `10.244.0.${this.podIp++ % 250}`,
      startTime: timestamp(),
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp() }],
    }
    this.setContainer(pod, { waiting: { reason: 'ContainerCreating' } })
    this.update(pod)
    run.timers.push(setTimeout(() => this.pull(pod, run), this.o.startDelayMs))
  }

  private pull(pod: IPod, run: Running): void {
    if (pod.metadata!.deletionTimestamp) return
    const image = pod.spec!.containers[0]!.image!
    if (!IMAGE_REF.test(image)) {
      const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`
      this.setContainer(pod, { waiting: { reason: 'InvalidImageName', message } })
      this.update(pod)
      return
    }
    if (this.o.unpullable(image)) {
      const ref = image.includes('/') ? image : `docker.io/library/${image}`
      this.setContainer(pod, {
        waiting: {
          reason: 'ErrImagePull',
          message: `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
        },
      })
      this.update(pod)
      run.timers.push(
        setTimeout(() => {
          if (pod.metadata!.deletionTimestamp) return
          this.setContainer(pod, {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
          })
          this.update(pod)
        }, this.o.pullBackoffMs),
      )
      return
    }
    pod.status!.containerStatuses![0]!.imageID = `docker.io/library/${image}@sha256:${'0'.repeat(64)}`
    this.start(pod, run)
  }

  private environment(pod: IPod): Record<string, string> | string {
    const ns = pod.metadata!.namespace!
    const c = pod.spec!.containers[0]!
    const vars: Record<string, string> = {}
    for (const from of c.envFrom ?? []) {
      const ref = from.secretRef ?? from.configMapRef
      const kind = from.secretRef ? 'secret' : 'configmap'
      const data = (from.secretRef ? this.host.store.secrets : this.host.store.configMaps).get(
        key(ns, ref!.name!),
      )
      if (!data) {
        if (ref!.optional) continue
        return `${kind} "${ref!.name}" not found`
      }
      for (const [k, v] of Object.entries(data)) vars[`${from.prefix ?? ''}${k}`] = v
    }
    const fields: Record<string, string | undefined> = {
      'metadata.name': pod.metadata!.name,
      'metadata.namespace': ns,
      'metadata.uid': pod.metadata!.uid,
      'spec.nodeName': pod.spec!.nodeName,
      'spec.serviceAccountName': pod.spec!.serviceAccountName,
      'status.podIP': pod.status?.podIP,
      'status.hostIP': pod.status?.hostIP,
    }
    for (const e of c.env ?? []) {
      const vf = e.valueFrom
      if (!vf) vars[e.name] = expand(e.value ?? '', vars)
      else if (vf.fieldRef) vars[e.name] = fields[vf.fieldRef.fieldPath] ?? ''
      else if (vf.secretKeyRef || vf.configMapKeyRef) {
        const ref = (vf.secretKeyRef ?? vf.configMapKeyRef)!
        const kind = vf.secretKeyRef ? 'secret' : 'configmap'
        const data = (vf.secretKeyRef ? this.host.store.secrets : this.host.store.configMaps).get(
          key(ns, ref.name!),
        )
        const v = data?.[ref.key]
        if (v === undefined) {
          if (ref.optional) continue
          return data
            ? `couldn't find key ${ref.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`
            : `${kind} "${ref.name}" not found`
        }
        vars[e.name] = v
      }
    }
    return vars
  }

  private start(pod: IPod, run: Running): void {
    const c = pod.spec!.containers[0]!
    const env = this.environment(pod)
    if (typeof env === 'string') {
      this.setContainer(pod, { waiting: { reason: 'CreateContainerConfigError', message: env } })
      this.update(pod)
      return
    }
    const tmp = c.terminationMessagePath ?? '/dev/termination-log'
    const host = (v: string): string => (v === tmp ? run.terminationFile : v)
    for (const [k, v] of Object.entries(env)) env[k] = host(v)
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => host(expand(a, env)))
    const started = timestamp()
    let child: ChildProcess
    try {
      child = spawn(argv[0] ?? '/bin/sh', argv.slice(1), {
        cwd: c.workingDir ?? this.o.workdir,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? '/root',
          HOSTNAME: pod.metadata!.name!,
          ...env,
          [MARK]: pod.metadata!.uid!,
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (err) {
      this.startError(pod, run, argv[0] ?? '', (err as Error).message, started)
      return
    }
    run.child = child
    child.once('error', (err) => {
      if (child.pid === undefined) this.startError(pod, run, argv[0] ?? '', err.message, started)
    })
    if (child.pid === undefined) return
    child.stdout!.setEncoding('utf8').on('data', (d: string) => run.log.push('out', d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => run.log.push('err', d))
    pod.status!.phase = 'Running'
    pod.status!.conditions = [
      ...(pod.status!.conditions ?? []),
      { type: 'Ready', status: 'True', lastTransitionTime: started },
    ]
    this.setContainer(
      pod,
      { running: { startedAt: started } },
      { ready: true, started: true, containerID: `containerd://${pod.metadata!.uid!.replace(/-/g, '')}` },
    )
    this.update(pod)
    child.once('exit', () => killMarked(pod.metadata!.uid!))
    child.once('close', (code, signal) => {
      killMarked(pod.metadata!.uid!)
      run.log.end()
      const exitCode = code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)
      this.terminated(pod, run, {
        exitCode,
        started,
        reason: run.oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
      })
    })
  }

  private startError(pod: IPod, run: Running, program: string, why: string, started: string): void {
    run.log.end()
    const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${program}": ${why}: unknown`
    this.terminated(pod, run, { exitCode: 128, started, reason: 'StartError', message })
  }

  private terminated(
    pod: IPod,
    run: Running,
    t: { exitCode: number; started: string; reason: string; message?: string },
  ): void {
    let message = t.message ?? ''
    try {
      message = message || readFileSync(run.terminationFile, 'utf8').slice(0, 4096)
    } catch {
      // The container wrote no termination message.
    }
    if (
      !message &&
      t.exitCode !== 0 &&
      pod.spec!.containers[0]!.terminationMessagePolicy === 'FallbackToLogsOnError'
    ) {
      message = run.log.lines
        .slice(-80)
        .map((l) => l.text)
        .join('\n')
        .slice(-2048)
    }
    rmSync(run.terminationFile, { force: true })
    pod.status!.phase = t.exitCode === 0 ? 'Succeeded' : 'Failed'
    pod.status!.conditions = (pod.status!.conditions ?? []).map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False', reason: 'PodCompleted' } : c,
    )
    this.setContainer(pod, {
      terminated: {
        exitCode: t.exitCode,
        reason: t.reason,
        ...(message ? { message } : {}),
        startedAt: t.started,
        finishedAt: timestamp(),
        containerID: `containerd://${pod.metadata!.uid!.replace(/-/g, '')}`,
      },
    })
    this.update(pod)
    if (pod.metadata!.deletionTimestamp) this.remove(pod)
  }

  private remove(pod: IPod): void {
    const k = key(pod.metadata!.namespace!, pod.metadata!.name!)
    const run = this.running.get(k)
    for (const t of run?.timers ?? []) clearTimeout(t)
    run?.log.end()
    this.running.delete(k)
    this.host.store.pods.delete(k)
    this.host.podRemoved(pod)
  }

  /** Graceful deletion: SIGTERM now, SIGKILL after the grace period; the object goes when the container has. */
  deletePod(pod: IPod, graceSeconds?: number): void {
    const grace = graceSeconds ?? pod.spec!.terminationGracePeriodSeconds ?? 30
    if (!pod.metadata!.deletionTimestamp) {
      pod.metadata!.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000))
      pod.metadata!.deletionGracePeriodSeconds = grace
      this.host.store.touch(pod)
    }
    const run = this.running.get(key(pod.metadata!.namespace!, pod.metadata!.name!))
    const child = run?.child
    if (!run || !child || child.exitCode !== null || child.signalCode !== null) {
      this.remove(pod)
      return
    }
    this.signal(child, 'SIGTERM')
    run.timers.push(setTimeout(() => this.signal(child, 'SIGKILL'), grace * 1000))
  }

  /** The kernel's OOM killer, on demand: the container dies with SIGKILL and reason OOMKilled. */
  oomKill(ns: string, name: string): boolean {
    const run = this.running.get(key(ns, name))
    if (!run?.child) return false
    run.oom = true
    this.signal(run.child, 'SIGKILL')
    return true
  }

  private signal(child: ChildProcess, sig: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, sig)
    } catch {
      // Already gone.
    }
  }

  /** Stops every container at once (the stub is closing). */
  shutdown(): void {
    for (const [k, run] of this.running) {
      for (const t of run.timers) clearTimeout(t)
      if (run.child?.pid) this.signal(run.child, 'SIGKILL')
      const uid = this.host.store.pods.get(k)?.metadata?.uid
      if (uid) killMarked(uid)
      run.log.end()
    }
  }
}

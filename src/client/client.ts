/**
 * CairnClient: the TypeScript SDK. It speaks only MLflow's documented REST routes, so it works
 * against a Cairn server and an MLflow server alike.
 *
 * @example
 * const client = new CairnClient() // CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI / http://127.0.0.1:5000
 * const run = await client.startRun({ experimentName: 'mnist', runName: 'lr-0.01' })
 * await run.logParams({ lr: 0.01, epochs: 10 })
 * for (let step = 0; step < 10; step++) await run.logMetrics({ loss: 1 / (step + 1) }, step)
 * await run.endRun()
 */
import { userInfo } from 'node:os'
import {
  MLFLOW_TAGS,
  type Experiment,
  type FileInfo,
  type Metric,
  type Run,
  type Tag,
} from '../protocol/entities.js'
import { CairnError } from '../protocol/errors.js'
import { TRACKING_API } from '../protocol/tracking-api.js'
import { experimentFromWire, fileInfoFromWire, metricFromWire, runFromWire } from '../protocol/wire.js'
import { ActiveRun, type ErrorContext, type ParamValue, type RunContext } from './active-run.js'
import { AUDIT_USER_HEADER, auditUser } from './audit-user.js'
import { authHeaders, envSelection, resolveTrackingUri, type Env } from './config.js'
import { CairnApiError } from './errors.js'
import { ExitHooks } from './exit-hooks.js'
import { HttpClient } from './http.js'
import { RegistryClient } from './registry.js'
import type { RetryOptions } from './retry.js'
import {
  paginate,
  searchExperimentsPage,
  searchRunsPage,
  type SearchExperimentsOptions,
  type SearchRunsOptions,
} from './search.js'

export interface CairnClientOptions {
  /** Default: CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI, then http://127.0.0.1:5000. */
  trackingUri?: string
  /** Where MLFLOW_* / CAIRN_* variables are read from (default process.env). */
  env?: Env
  retry?: Partial<RetryOptions>
  /** Per-request timeout for API calls, in ms (default 120 s). */
  timeoutMs?: number
  /** Extra headers on every request; default from MLFLOW_TRACKING_TOKEN or _USERNAME/_PASSWORD. */
  headers?: Record<string, string>
  fetch?: typeof fetch
  /** Most params + tags + metric points one run holds queued or in flight (default 100,000). */
  maxQueueSize?: number
  /** How long a partly filled batch waits before it is sent, in ms (default 1000). */
  flushIntervalMs?: number
  /** Background failures (dropped batches, failed exit handling). Default: a line on stderr. */
  onError?: (err: Error, context: ErrorContext) => void
  /** Flush and end open runs on beforeExit, SIGINT and SIGTERM (default true). See exit-hooks.ts. */
  handleExit?: boolean
  /** How long exit handling may take after a signal before the signal is re-raised (default 10 s). */
  exitTimeoutMs?: number
  /** Clock for metric timestamps and run times. */
  now?: () => number
  /** Who the registry's audit trail names for this client's changes (default: CAIRN_USER, else the OS user). */
  user?: string
}

export interface StartRunOptions {
  experimentId?: string
  /** Created if it does not exist. */
  experimentName?: string
  runName?: string
  tags?: Record<string, ParamValue>
  /** Makes a nested run (tag mlflow.parentRunId). */
  parentRunId?: string
  /** Resume this run (status back to RUNNING) instead of creating one. Default: MLFLOW_RUN_ID. */
  runId?: string
}

export interface ExperimentPage {
  experiments: Experiment[]
  nextPageToken: string | null
}

export interface RunPage {
  runs: Run[]
  nextPageToken: string | null
}

const defaultOnError = (err: Error, ctx: ErrorContext): void => {
  process.stderr.write(`cairn: background logging for run ${ctx.runId} failed: ${err.message}\n`)
}

function currentUser(env: Env): string {
  try {
    return userInfo().username
  } catch {
    return env['USER'] ?? env['USERNAME'] ?? 'unknown'
  }
}

export class CairnClient {
  /** The low-level client: `client.http.call(TRACKING_API.getRun, { run_id })`. */
  readonly http: HttpClient
  /** The model registry: `client.registry.registerModel(...)`, `.promote(...)`, … (see registry.ts). */
  readonly registry: RegistryClient
  private readonly env: Env
  private readonly runCtx: RunContext
  private readonly open = new Set<ActiveRun>()
  private readonly hooks: ExitHooks | null

  constructor(opts: CairnClientOptions = {}) {
    this.env = opts.env ?? process.env
    const user = auditUser(opts.user, this.env)
    this.http = new HttpClient({
      trackingUri: resolveTrackingUri(opts.trackingUri, this.env),
      headers: {
        ...authHeaders(this.env),
        ...(user !== undefined ? { [AUDIT_USER_HEADER]: user } : {}),
        ...opts.headers,
      },
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    })
    this.registry = new RegistryClient(this.http)
    this.hooks = opts.handleExit === false ? null : new ExitHooks(opts.exitTimeoutMs ?? 10_000)
    this.runCtx = {
      http: this.http,
      now: opts.now ?? Date.now,
      maxQueueSize: opts.maxQueueSize ?? 100_000,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      onError: opts.onError ?? defaultOnError,
      onEnded: (run) => {
        this.open.delete(run)
        this.hooks?.delete(run)
      },
    }
  }

  get trackingUri(): string {
    return this.http.trackingUri
  }

  // --- experiments ---

  async createExperiment(
    name: string,
    opts: { artifactLocation?: string; tags?: Record<string, string> } = {},
  ): Promise<string> {
    const answer = await this.http.call(TRACKING_API.createExperiment, {
      name,
      ...(opts.artifactLocation ? { artifact_location: opts.artifactLocation } : {}),
      tags: Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value })),
    })
    return answer.experiment_id
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const answer = await this.http.call(TRACKING_API.getExperiment, { experiment_id: experimentId })
    return experimentFromWire(answer.experiment)
  }

  /** The experiment with this name (the active one when names collide), or null. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const answer = await this.http.call(TRACKING_API.getExperimentByName, { experiment_name: name })
      return experimentFromWire(answer.experiment)
    } catch (err) {
      if (err instanceof CairnApiError && err.code === 'RESOURCE_DOES_NOT_EXIST') return null
      throw err
    }
  }

  /** Gets the experiment by name, creating it if needed (safe when several processes race). */
  async getOrCreateExperiment(name: string): Promise<Experiment> {
    const existing = await this.getExperimentByName(name)
    if (existing) return existing
    try {
      return await this.getExperiment(await this.createExperiment(name))
    } catch (err) {
      if (!(err instanceof CairnApiError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err
      const winner = await this.getExperimentByName(name)
      if (winner === null) throw err
      return winner
    }
  }

  /** One page, or with `autoPaginate` every page up to `maxResults` experiments. */
  async searchExperiments(opts: SearchExperimentsOptions = {}): Promise<ExperimentPage> {
    if (!opts.autoPaginate) {
      const page = await searchExperimentsPage(this.http, opts, opts.maxResults)
      return { experiments: page.items.map(experimentFromWire), nextPageToken: page.nextPageToken }
    }
    const all = await paginate(opts.maxResults, opts.pageToken, (size, token) =>
      searchExperimentsPage(this.http, { ...opts, pageToken: token }, size),
    )
    return { experiments: all.items.map(experimentFromWire), nextPageToken: all.nextPageToken }
  }

  // --- runs ---

  /**
   * Starts a run, or resumes one: `runId`, else MLFLOW_RUN_ID (unless `parentRunId` asks for a
   * new nested run). The experiment is `experimentId`, `experimentName` (created if missing),
   * MLFLOW_EXPERIMENT_NAME (created if missing), MLFLOW_EXPERIMENT_ID, or the default "0".
   */
  async startRun(opts: StartRunOptions = {}): Promise<ActiveRun> {
    const env = envSelection(this.env)
    const resumeId = opts.runId ?? (opts.parentRunId === undefined ? env.runId : undefined)
    const run = resumeId !== undefined ? await this.resumeRun(resumeId, opts) : await this.createRun(opts)
    const active = new ActiveRun(this.runCtx, run.info, run.data.params)
    this.open.add(active)
    this.hooks?.add(active)
    if (resumeId !== undefined && opts.tags) await active.setTags(opts.tags)
    return active
  }

  async getRun(runId: string): Promise<Run> {
    const answer = await this.http.call(TRACKING_API.getRun, { run_id: runId })
    return runFromWire(answer.run)
  }

  /** One page, or with `autoPaginate` every page up to `maxResults` runs. */
  async searchRuns(opts: SearchRunsOptions): Promise<RunPage> {
    if (!opts.autoPaginate) {
      const page = await searchRunsPage(this.http, opts, opts.maxResults)
      return { runs: page.items.map(runFromWire), nextPageToken: page.nextPageToken }
    }
    const all = await paginate(opts.maxResults, opts.pageToken, (size, token) =>
      searchRunsPage(this.http, { ...opts, pageToken: token }, size),
    )
    return { runs: all.items.map(runFromWire), nextPageToken: all.nextPageToken }
  }

  /**
   * Every point of one metric. Without `pageSize` the server sends them all at once (as to
   * MLflow's client); with it, pages of that size are read, following page tokens.
   */
  async getMetricHistory(runId: string, key: string, opts: { pageSize?: number } = {}): Promise<Metric[]> {
    const out: Metric[] = []
    let token = ''
    do {
      const answer = await this.http.call(TRACKING_API.getMetricHistory, {
        run_id: runId,
        metric_key: key,
        ...(opts.pageSize !== undefined ? { max_results: opts.pageSize } : {}),
        ...(token ? { page_token: token } : {}),
      })
      for (const m of answer.metrics ?? []) out.push(metricFromWire(m))
      token = answer.next_page_token ?? ''
    } while (token !== '')
    return out
  }

  /** Files and folders directly below `path` in the run's artifacts. */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const out: FileInfo[] = []
    let token = ''
    do {
      const answer = await this.http.call(TRACKING_API.listArtifacts, {
        run_id: runId,
        ...(path ? { path } : {}),
        ...(token ? { page_token: token } : {}),
      })
      for (const f of answer.files ?? []) out.push(fileInfoFromWire(f))
      token = answer.next_page_token ?? ''
    } while (token !== '')
    return out
  }

  /** Runs started or resumed by this client and not ended yet. */
  get openRuns(): ActiveRun[] {
    return [...this.open]
  }

  /** Flushes every open run; rejects with the first failure after all have been tried. */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(this.openRuns.map((r) => r.flush()))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  private async createRun(opts: StartRunOptions): Promise<Run> {
    const experimentId = await this.resolveExperimentId(opts)
    const user = currentUser(this.env)
    const tags: Tag[] = [
      { key: MLFLOW_TAGS.user, value: user },
      { key: MLFLOW_TAGS.source, value: process.argv[1] ?? '' },
      { key: MLFLOW_TAGS.sourceType, value: 'LOCAL' },
    ]
    if (opts.parentRunId !== undefined) tags.push({ key: MLFLOW_TAGS.parentRunId, value: opts.parentRunId })
    for (const [key, value] of Object.entries(opts.tags ?? {})) {
      const i = tags.findIndex((t) => t.key === key)
      if (i >= 0) tags.splice(i, 1)
      tags.push({ key, value: String(value) })
    }
    const answer = await this.http.call(TRACKING_API.createRun, {
      experiment_id: experimentId,
      user_id: user,
      start_time: this.runCtx.now(),
      tags,
      ...(opts.runName ? { run_name: opts.runName } : {}),
    })
    return runFromWire(answer.run)
  }

  private async resumeRun(runId: string, opts: StartRunOptions): Promise<Run> {
    if (this.openRuns.some((r) => r.runId === runId)) {
      throw new CairnError(
        'INVALID_STATE',
        `Run ${runId} is already active in this client; end it first, or pass parentRunId to start a nested run.`,
      )
    }
    const run = await this.getRun(runId)
    if (run.info.lifecycleStage === 'deleted') {
      throw new CairnError('INVALID_PARAMETER_VALUE', `Cannot resume run ${runId} because it is deleted.`)
    }
    if (opts.experimentId !== undefined && opts.experimentId !== run.info.experimentId) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `Run ${runId} belongs to experiment ${run.info.experimentId}, not ${opts.experimentId}.`,
      )
    }
    const answer = await this.http.call(TRACKING_API.updateRun, {
      run_id: runId,
      status: 'RUNNING',
      ...(opts.runName ? { run_name: opts.runName } : {}),
    })
    return {
      ...run,
      info: { ...run.info, status: answer.run_info.status, runName: answer.run_info.run_name },
    }
  }

  private async resolveExperimentId(opts: StartRunOptions): Promise<string> {
    if (opts.experimentId !== undefined) return opts.experimentId
    if (opts.experimentName !== undefined)
      return (await this.getOrCreateExperiment(opts.experimentName)).experimentId
    const env = envSelection(this.env)
    if (env.experimentName !== undefined) {
      const exp = await this.getOrCreateExperiment(env.experimentName)
      if (env.experimentId !== undefined && env.experimentId !== exp.experimentId) {
        throw new CairnError(
          'INVALID_PARAMETER_VALUE',
          `MLFLOW_EXPERIMENT_ID '${env.experimentId}' does not match the id '${exp.experimentId}' of MLFLOW_EXPERIMENT_NAME '${env.experimentName}'.`,
        )
      }
      return exp.experimentId
    }
    if (env.experimentId !== undefined) return (await this.getExperiment(env.experimentId)).experimentId
    return '0'
  }
}

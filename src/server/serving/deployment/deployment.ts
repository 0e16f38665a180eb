/**
 * One served model name and its traffic: the primary URI, an optional canary taking a share of
 * requests (`--canary models:/m@challenger --canary-percent 10`), and an optional shadow scored
 * on a copy of every request whose answers are logged but never returned. Every prediction is
 * appended to the prediction log with its role, version and latency.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { InferenceParams } from '../../../models/index.js'
import type { PredictionLog } from '../observability/log-writer.js'
import type { LoggedBody, PredictionRecord, Protocol, Role } from '../observability/prediction-log.js'
import { nameOfUri, registeredNameOf } from '../sources/model-source.js'
import type { LoadedModel, ModelInput, Prediction } from '../types.js'
import { ModelSlot, type Lease, type SlotDeps, type SlotStatus } from './model-slot.js'
import { resolveParams } from './params.js'
import type { InlineValidation } from '../validation/inline-validation.js'

export interface DeploymentConfig {
  uri: string
  /** Served name; default the registered model's name (or the folder's). */
  name?: string
  canary?: { uri: string; percent: number }
  shadow?: string
  /** Names for the classes (`/predict`): index i names class i. */
  labels?: string[]
  /** Default decision threshold of `/predict` (0.5 for binary classifiers when unset). */
  threshold?: number
}

export interface DeploymentDeps extends SlotDeps {
  pollIntervalMs: number
  predictionLog: PredictionLog | null
  random?: () => number
  /** `--validate flag|reject`: checks each request's rows against the version's data expectations. */
  validation?: InlineValidation
}

export interface Served {
  prediction: Prediction
  model: LoadedModel
  role: Role
  input: ModelInput
  /** Its prediction-log entry (null when the log is off): the route sets `answer` once it has it. */
  logged: PredictionRecord | null
}

/** Turns the request into the chosen model's input (schema enforcement against its signature). */
export type Prepare = (model: LoadedModel) => ModelInput

export interface PredictOptions {
  requestId: string
  protocol: Protocol
  /** Only this version (OIP's /versions/{v}). */
  version?: string
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint
  /** The body the input was read from, logged as sent. */
  body?: LoggedBody
}

/** The name a deployment is served under: `--name`, else the registered model's, else the folder's. */
export function servedName(config: DeploymentConfig): string {
  return config.name ?? registeredNameOf(config.uri) ?? nameOfUri(config.uri, config.uri)
}

/** Shadow predictions in flight beyond which requests are not copied (counted in a metric). */
const MAX_SHADOW_IN_FLIGHT = 64

export class Deployment {
  readonly name: string
  readonly primary: ModelSlot
  readonly canary: ModelSlot | null
  readonly shadow: ModelSlot | null
  private readonly shadowRuns = new Set<Promise<void>>()
  private readonly random: () => number

  constructor(
    readonly config: DeploymentConfig,
    private readonly deps: DeploymentDeps,
  ) {
    this.name = servedName(config)
    const slot = (uri: string, role: Role): ModelSlot =>
      new ModelSlot(deps, { uri, role, name: this.name, pollIntervalMs: deps.pollIntervalMs })
    this.primary = slot(config.uri, 'primary')
    this.canary = config.canary ? slot(config.canary.uri, 'canary') : null
    this.shadow = config.shadow ? slot(config.shadow, 'shadow') : null
    this.random = deps.random ?? Math.random
  }

  private slots(): ModelSlot[] {
    return [this.primary, this.canary, this.shadow].filter((s): s is ModelSlot => s !== null)
  }

  async start(): Promise<void> {
    await Promise.all(this.slots().map((s) => s.start()))
  }

  /** Lets shadow predictions in flight finish (and be logged), then stops watching and frees the models. */
  async stop(): Promise<void> {
    await Promise.all([...this.shadowRuns])
    await Promise.all(this.slots().map((s) => s.stop()))
  }

  ready(): boolean {
    return this.primary.model !== null
  }

  status(): SlotStatus[] {
    return this.slots().map((s) => s.status())
  }

  /** Versions being served (primary first), for OIP metadata. */
  versions(): string[] {
    const out: string[] = []
    for (const s of this.slots()) {
      const v = s.model?.origin.version
      if (v != null && !out.includes(v)) out.push(v)
    }
    return out
  }

  /** The model that answers metadata requests for `version` (default: the primary's). */
  modelFor(version?: string): LoadedModel | null {
    if (version === undefined) return this.primary.model
    return this.slots().find((s) => s.model?.origin.version === version)?.model ?? null
  }

  private lease(version: string | undefined): { lease: Lease; role: Role } {
    if (version !== undefined) {
      const slot = this.slots().find((s) => s.model?.origin.version === version)
      const lease = slot?.acquire()
      if (!slot || !lease) {
        throw new CairnError(
          'RESOURCE_DOES_NOT_EXIST',
          `Version ${version} of model '${this.name}' is not being served (serving: ${this.versions().join(', ') || 'none'}).`,
        )
      }
      return { lease, role: slot.opts.role }
    }
    if (this.canary && this.random() * 100 < this.config.canary!.percent) {
      const lease = this.canary.acquire()
      if (lease) return { lease, role: 'canary' }
    }
    const lease = this.primary.acquire()
    if (!lease) {
      const err = this.primary.status().lastError
      throw new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        `Model '${this.name}' is not loaded${err ? `: ${err.message}` : ' yet'}.`,
      )
    }
    return { lease, role: 'primary' }
  }

  /**
   * Picks the model (a version, the canary's share, else the primary), prepares the input for
   * it, predicts, logs, and copies the request to the shadow.
   */
  async predict(prepare: Prepare, params: unknown, opts: PredictOptions): Promise<Served> {
    const { lease, role } = this.lease(opts.version)
    const model = lease.model
    let input: ModelInput
    let prediction: Prediction
    let flagged: PredictionRecord['validation']
    try {
      input = prepare(model)
      flagged = this.deps.validation?.check(model, input)
      const resolved: InferenceParams = resolveParams(model.signature?.params, params)
      prediction = await model.predict(input, resolved)
    } catch (err) {
      throw this.modelError(err, model)
    } finally {
      lease.release()
    }
    let logged: PredictionRecord | null = null
    if (this.deps.predictionLog) {
      logged = {
        ts: Date.now(),
        requestId: opts.requestId,
        origin: model.origin,
        role,
        protocol: opts.protocol,
        latencyMs: Number(process.hrtime.bigint() - opts.started) / 1e6,
        input,
        prediction,
        body: opts.body,
        ...(flagged ? { validation: flagged } : {}),
      }
      this.deps.predictionLog.record(logged)
    }
    if (this.shadow && opts.version === undefined) this.copyToShadow(prepare, input, params, opts)
    return { prediction, model, role, input, logged }
  }

  private modelError(err: unknown, model: LoadedModel): CairnError {
    if (err instanceof CairnError) return err
    this.deps.log.warn({ err, model: this.name, version: model.origin.version }, 'model failed on a request')
    // MLflow answers model-time failures with 400 BAD_REQUEST.
    return new CairnError('BAD_REQUEST', `The model failed on this input: ${(err as Error).message}`, {
      cause: err,
    })
  }

  private copyToShadow(prepare: Prepare, input: ModelInput, params: unknown, opts: PredictOptions): void {
    if (this.shadowRuns.size >= MAX_SHADOW_IN_FLIGHT) {
      this.deps.metrics.skippedShadow(this.name)
      return
    }
    const lease = this.shadow!.acquire()
    if (!lease) return
    const started = process.hrtime.bigint()
    let copy = input
    const record = (prediction: Prediction | undefined, error: string | undefined): void =>
      this.deps.predictionLog?.record({
        ts: Date.now(),
        requestId: opts.requestId,
        origin: lease.model.origin,
        role: 'shadow',
        protocol: opts.protocol,
        latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
        input: copy,
        body: opts.body,
        ...(prediction ? { prediction } : {}),
        ...(error !== undefined ? { error } : {}),
      })
    const run = (async () => {
      try {
        // Its own enforcement (the shadow's signature may differ); a copy, so it cannot touch the primary's.
        copy = structuredClone(prepare(lease.model))
        const p = await lease.model.predict(copy, resolveParams(lease.model.signature?.params, params))
        record(p, undefined)
      } catch (err) {
        record(undefined, (err as Error).message)
      } finally {
        lease.release()
      }
    })()
    this.shadowRuns.add(run)
    void run.finally(() => this.shadowRuns.delete(run))
  }
}

/**
 * The registry's JSON shapes (snake_case) and one mapper per entity in each direction. MLflow's
 * shapes follow mlflow/protos/model_registry.proto as MLflow 2.10 answers them: a version always
 * carries `description`, `source`, `run_id` and `run_link` (possibly ""), a registered model only
 * a non-empty `description`; empty lists and unset optional fields are left out.
 */
import type { PolicyGoal, PolicyOperator, PromotionCheck, PromotionOutcome } from './promotion-policy.js'
import type {
  ModelSignature,
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegisteredModel,
  RegistryEvent,
  RegistryEventAction,
  RegistryEventKind,
} from './registry-entities.js'
import { doubleFromWire, doubleToWire, tagsToWire, type WireTag } from './wire.js'

export interface WireModelVersion {
  name: string
  version: string
  creation_timestamp: number
  last_updated_timestamp: number
  user_id?: string
  current_stage: ModelVersionStage
  description: string
  source: string
  run_id: string
  status: ModelVersionStatus
  status_message?: string
  tags?: WireTag[]
  run_link: string
  aliases?: string[]
}

/** Cairn's fuller form of a version (its own routes): where the files are and the signature. */
export interface WireModelVersionDetails extends WireModelVersion {
  storage_location: string
  signature?: ModelSignature
}

export interface WireRegisteredModel {
  name: string
  creation_timestamp: number
  last_updated_timestamp: number
  user_id?: string
  description?: string
  latest_versions?: WireModelVersion[]
  tags?: WireTag[]
  aliases?: { alias: string; version: string }[]
}

export interface WireRegistryEvent {
  event_id: number
  name: string
  timestamp: number
  user_id: string
  kind: RegistryEventKind
  action: RegistryEventAction
  alias?: string
  version?: string
  old_value?: string
  new_value?: string
  reason?: string
  details?: unknown
}

export function modelVersionToWire(v: ModelVersion): WireModelVersion {
  // Key order as MLflow writes them.
  return {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    ...(v.userId !== '' ? { user_id: v.userId } : {}),
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    ...(v.statusMessage !== '' ? { status_message: v.statusMessage } : {}),
    ...(v.tags.length > 0 ? { tags: tagsToWire(v.tags) } : {}),
    run_link: v.runLink,
    ...(v.aliases.length > 0 ? { aliases: [...v.aliases] } : {}),
  }
}

export function modelVersionDetailsToWire(v: ModelVersion): WireModelVersionDetails {
  const out: WireModelVersionDetails = {
    ...modelVersionToWire(v),
    storage_location: v.storageLocation ?? v.source,
  }
  if (v.signature) out.signature = { ...v.signature }
  return out
}

export function modelVersionFromWire(w: WireModelVersion | WireModelVersionDetails): ModelVersion {
  const out: ModelVersion = {
    name: w.name,
    version: String(w.version),
    creationTimestamp: Number(w.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(w.last_updated_timestamp ?? 0),
    userId: w.user_id ?? '',
    currentStage: w.current_stage ?? 'None',
    description: w.description ?? '',
    source: w.source ?? '',
    runId: w.run_id ?? '',
    runLink: w.run_link ?? '',
    status: w.status ?? 'READY',
    statusMessage: w.status_message ?? '',
    tags: w.tags ?? [],
    aliases: w.aliases ?? [],
  }
  if ('storage_location' in w) out.storageLocation = w.storage_location
  if ('signature' in w) out.signature = w.signature ?? null
  return out
}

export function registeredModelToWire(m: RegisteredModel): WireRegisteredModel {
  const out: WireRegisteredModel = {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
  }
  if (m.userId !== '') out.user_id = m.userId
  if (m.description !== '') out.description = m.description
  if (m.latestVersions.length > 0) out.latest_versions = m.latestVersions.map(modelVersionToWire)
  if (m.tags.length > 0) out.tags = tagsToWire(m.tags)
  if (m.aliases.length > 0) out.aliases = m.aliases.map((a) => ({ alias: a.alias, version: a.version }))
  return out
}

export function registeredModelFromWire(w: WireRegisteredModel): RegisteredModel {
  return {
    name: w.name,
    creationTimestamp: Number(w.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(w.last_updated_timestamp ?? 0),
    userId: w.user_id ?? '',
    description: w.description ?? '',
    latestVersions: (w.latest_versions ?? []).map(modelVersionFromWire),
    tags: w.tags ?? [],
    aliases: (w.aliases ?? []).map((a) => ({ alias: a.alias, version: String(a.version) })),
  }
}

export function registryEventToWire(e: RegistryEvent): WireRegistryEvent {
  const out: WireRegistryEvent = {
    event_id: e.eventId,
    name: e.name,
    timestamp: e.timestamp,
    user_id: e.userId,
    kind: e.kind,
    action: e.action,
  }
  if (e.alias !== undefined) out.alias = e.alias
  if (e.version !== undefined) out.version = e.version
  if (e.oldValue !== null) out.old_value = e.oldValue
  if (e.newValue !== null) out.new_value = e.newValue
  if (e.reason !== undefined && e.reason !== '') out.reason = e.reason
  if (e.details !== undefined) out.details = e.details
  return out
}

export function registryEventFromWire(w: WireRegistryEvent): RegistryEvent {
  const out: RegistryEvent = {
    eventId: Number(w.event_id),
    name: w.name,
    timestamp: Number(w.timestamp),
    userId: w.user_id ?? '',
    kind: w.kind,
    action: w.action,
    oldValue: w.old_value ?? null,
    newValue: w.new_value ?? null,
  }
  if (w.alias !== undefined) out.alias = w.alias
  if (w.version !== undefined) out.version = w.version
  if (w.reason !== undefined) out.reason = w.reason
  if (w.details !== undefined) out.details = w.details
  return out
}

export type WireMetricValue = ReturnType<typeof doubleToWire>

export type WirePromotionCheck =
  | {
      kind: 'compare'
      metric: string
      goal: PolicyGoal
      min_delta: number
      candidate?: WireMetricValue
      current?: WireMetricValue
      passed: boolean
      message: string
    }
  | {
      kind: 'threshold'
      metric: string
      op: PolicyOperator
      value: number
      candidate?: WireMetricValue
      passed: boolean
      message: string
    }
  | { kind: 'tag'; key: string; expected: string; actual?: string; passed: boolean; message: string }

export interface WirePromotionOutcome {
  name: string
  alias: string
  candidate: { version: string; run_id: string }
  current?: { version: string; run_id: string }
  checks: WirePromotionCheck[]
  passed: boolean
  dry_run: boolean
  forced: boolean
  moved: boolean
  message: string
  event_id?: number
}

const optionalMetric = <K extends string>(
  key: K,
  v: number | undefined,
): Partial<Record<K, WireMetricValue>> =>
  v === undefined ? {} : ({ [key]: doubleToWire(v) } as Record<K, WireMetricValue>)

const optionalDouble = (v: WireMetricValue | undefined): number | undefined =>
  v === undefined ? undefined : doubleFromWire(v)

function checkToWire(c: PromotionCheck): WirePromotionCheck {
  switch (c.kind) {
    case 'compare':
      return {
        kind: c.kind,
        metric: c.metric,
        goal: c.goal,
        min_delta: c.minDelta,
        ...optionalMetric('candidate', c.candidate),
        ...optionalMetric('current', c.current),
        passed: c.passed,
        message: c.message,
      }
    case 'threshold':
      return {
        kind: c.kind,
        metric: c.metric,
        op: c.op,
        value: c.value,
        ...optionalMetric('candidate', c.candidate),
        passed: c.passed,
        message: c.message,
      }
    case 'tag':
      return {
        kind: c.kind,
        key: c.key,
        expected: c.expected,
        ...(c.actual !== undefined ? { actual: c.actual } : {}),
        passed: c.passed,
        message: c.message,
      }
  }
}

function checkFromWire(w: WirePromotionCheck): PromotionCheck {
  switch (w.kind) {
    case 'compare': {
      const out: PromotionCheck = {
        kind: w.kind,
        metric: w.metric,
        goal: w.goal,
        minDelta: Number(w.min_delta ?? 0),
        passed: w.passed,
        message: w.message,
      }
      const candidate = optionalDouble(w.candidate)
      const current = optionalDouble(w.current)
      if (candidate !== undefined) out.candidate = candidate
      if (current !== undefined) out.current = current
      return out
    }
    case 'threshold': {
      const out: PromotionCheck = {
        kind: w.kind,
        metric: w.metric,
        op: w.op,
        value: Number(w.value),
        passed: w.passed,
        message: w.message,
      }
      const candidate = optionalDouble(w.candidate)
      if (candidate !== undefined) out.candidate = candidate
      return out
    }
    case 'tag': {
      const out: PromotionCheck = {
        kind: w.kind,
        key: w.key,
        expected: w.expected,
        passed: w.passed,
        message: w.message,
      }
      if (w.actual !== undefined) out.actual = w.actual
      return out
    }
  }
}

export function promotionOutcomeToWire(o: PromotionOutcome): WirePromotionOutcome {
  return {
    name: o.name,
    alias: o.alias,
    candidate: { version: o.candidate.version, run_id: o.candidate.runId },
    ...(o.current ? { current: { version: o.current.version, run_id: o.current.runId } } : {}),
    checks: o.checks.map(checkToWire),
    passed: o.passed,
    dry_run: o.dryRun,
    forced: o.forced,
    moved: o.moved,
    message: o.message,
    ...(o.eventId !== undefined ? { event_id: o.eventId } : {}),
  }
}

export function promotionOutcomeFromWire(w: WirePromotionOutcome): PromotionOutcome {
  const out: PromotionOutcome = {
    name: w.name,
    alias: w.alias,
    candidate: { version: String(w.candidate.version), runId: w.candidate.run_id ?? '' },
    checks: (w.checks ?? []).map(checkFromWire),
    passed: Boolean(w.passed),
    dryRun: Boolean(w.dry_run),
    forced: Boolean(w.forced),
    moved: Boolean(w.moved),
    message: w.message ?? '',
  }
  if (w.current) out.current = { version: String(w.current.version), runId: w.current.run_id ?? '' }
  if (w.event_id !== undefined) out.eventId = Number(w.event_id)
  return out
}

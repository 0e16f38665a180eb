/**
 * Promotion policies, promotions and rollbacks. A promotion evaluates the alias's policy against
 * the runs behind the candidate and the current holder, then moves the alias with compare-and-set
 * on the holder it evaluated against: of two promotions racing for one alias, exactly one moves
 * it and the other gets RESOURCE_CONFLICT (409) and changes nothing. A rollback walks the alias's
 * audit events back (rollback.ts) and moves it the same way.
 *
 * A failing policy is an outcome (200, `moved: false`, the checks say why), not an error; bad
 * input is an error that changes nothing: unknown version, a version not READY, no policy, a
 * policy naming a metric a run lacks, `force` without a reason.
 */
import { parse as parseYaml } from 'yaml'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import {
  DEFAULT_POLICY_ALIAS,
  parsePromotionPolicy,
  promotionPolicyToDocument,
  type PromotionOutcome,
  type PromotionPolicy,
} from '../../protocol/promotion-policy.js'
import type { ModelVersion, StoredPolicy } from '../../protocol/registry-entities.js'
import {
  parseModelVersion,
  validateAliasName,
  validateModelName,
} from '../../protocol/registry-validation.js'
import type { AliasMove, RegistryStore } from '../store/registry-store.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { evaluatePolicy, type PolicySubject } from './evaluate-policy.js'
import type { RegistryNotifications } from './notifications.js'
import { rollbackStep } from './rollback.js'

export type AliasMoveHook = (move: {
  name: string
  alias: string
  expected: number | null
  target: number
  action: 'promote' | 'promote_forced' | 'rollback'
}) => Promise<void>

export interface PromoteRequest {
  name: string
  candidateVersion: string
  /** Default `champion`. */
  alias?: string
  dryRun: boolean
  force: boolean
  reason: string
  /** Move only if the alias points here now ('' = unset): the holder the client saw. */
  expectedCurrentVersion?: string
}

export interface RollbackResult {
  name: string
  alias: string
  fromVersion: string | null
  toVersion: string
  eventId: number
}

interface Actor {
  user: string
}

const aliasOrDefault = (alias: string | undefined): string =>
  alias === undefined || alias === '' ? DEFAULT_POLICY_ALIAS : alias
const shown = (v: number | null): string => (v === null ? 'unset' : `version ${v}`)

export class PromotionService {
  constructor(
    private readonly deps: {
      store: RegistryStore
      tracking: TrackingStore
      notifications: RegistryNotifications
      beforeAliasMove?: AliasMoveHook
    },
  ) {}

  /** Tells subscribers that an alias moved. */
  announce(move: AliasMove): void {
    this.deps.notifications.emit({
      type: 'alias_moved',
      name: move.name,
      alias: move.alias,
      oldVersion: move.oldVersion === null ? null : String(move.oldVersion),
      newVersion: move.newVersion === null ? null : String(move.newVersion),
    })
  }

  // Policies.

  async getPolicy(name: string, alias?: string): Promise<StoredPolicy> {
    validateModelName(name)
    const a = aliasOrDefault(alias)
    const policy = await this.deps.store.getPolicy(name, a)
    if (policy === null) {
      throw new CairnError(
        'RESOURCE_DOES_NOT_EXIST',
        `Registered model '${name}' has no promotion policy for alias '${a}'.`,
      )
    }
    return policy
  }

  async listPolicies(name: string): Promise<StoredPolicy[]> {
    validateModelName(name)
    return this.deps.store.listPolicies(name)
  }

  /** `policy` as a JSON object or `policyText` as YAML (or JSON) text; validated, stored normalized. */
  async setPolicy(
    name: string,
    input: { policy?: Record<string, unknown>; policyText?: string },
    actor: Actor,
  ): Promise<StoredPolicy> {
    validateModelName(name)
    const hasText = input.policyText !== undefined && input.policyText.trim() !== ''
    if (input.policy !== undefined && hasText)
      throw invalidParameter("Give 'policy' or 'policy_text', not both.")
    let doc: unknown = input.policy
    if (hasText) {
      try {
        doc = parseYaml(input.policyText!)
      } catch (err) {
        throw invalidParameter(`'policy_text' is not valid YAML or JSON: ${(err as Error).message}`)
      }
    }
    if (doc === undefined)
      throw invalidParameter("Missing value for required parameter 'policy' (or 'policy_text').")
    const policy = parsePromotionPolicy(doc)
    return this.deps.store.setPolicy(
      { name, alias: policy.alias, document: promotionPolicyToDocument(policy) },
      { user: actor.user },
    )
  }

  async deletePolicy(name: string, alias: string | undefined, actor: Actor): Promise<void> {
    validateModelName(name)
    await this.deps.store.deletePolicy(name, aliasOrDefault(alias), { user: actor.user })
  }

  // Promotion.

  private async subject(v: ModelVersion): Promise<PolicySubject> {
    let metrics = new Map<string, number>()
    if (v.runId !== '') {
      const run = await this.deps.tracking.getRun(v.runId).catch((err: unknown) => {
        if (err instanceof CairnError && err.code === 'RESOURCE_DOES_NOT_EXIST') return null
        throw err
      })
      if (run) metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]))
    }
    return { version: v.version, runId: v.runId, metrics, tags: new Map(v.tags.map((t) => [t.key, t.value])) }
  }

  async promote(req: PromoteRequest, actor: Actor): Promise<PromotionOutcome> {
    const { store } = this.deps
    validateModelName(req.name)
    const candidateVersion = parseModelVersion(req.candidateVersion)
    const alias = aliasOrDefault(req.alias)
    validateAliasName(alias)
    const reason = req.reason.trim()
    if (req.force && !req.dryRun && reason === '') {
      throw invalidParameter('A forced promotion needs a reason; the audit trail records it.')
    }
    const candidate = await store.getModelVersion(req.name, candidateVersion)
    if (candidate.status !== 'READY') {
      throw new CairnError(
        'INVALID_STATE',
        `Version ${candidate.version} of '${req.name}' is ${candidate.status}${candidate.statusMessage ? ` (${candidate.statusMessage})` : ''}; only READY versions can be promoted.`,
      )
    }
    const stored = await store.getPolicy(req.name, alias)
    if (stored === null && !req.force) {
      throw new CairnError(
        'INVALID_STATE',
        `Registered model '${req.name}' has no promotion policy for alias '${alias}'. Set one (POST /api/2.0/cairn/registry/policy), or force the move with a reason.`,
      )
    }
    const holder = await store.getAliasVersion(req.name, alias)
    if (req.expectedCurrentVersion !== undefined) {
      const expected =
        req.expectedCurrentVersion === '' ? null : parseModelVersion(req.expectedCurrentVersion)
      if (expected !== holder) {
        throw new CairnError(
          'RESOURCE_CONFLICT',
          `Alias '${alias}' of model '${req.name}' is ${shown(holder)}, not ${shown(expected)} as this request expected. Nothing was changed.`,
        )
      }
    }
    if (holder === candidateVersion) {
      throw invalidParameter(
        `Version ${candidateVersion} already holds alias '${alias}' of model '${req.name}'.`,
      )
    }
    const current = holder === null ? null : await store.getModelVersion(req.name, holder)
    const candidateSubject = await this.subject(candidate)
    const currentSubject = current === null ? null : await this.subject(current)
    const policy: PromotionPolicy | null = stored === null ? null : parsePromotionPolicy(stored.document)
    const verdict =
      policy === null
        ? { checks: [], passed: false, missing: [] }
        : evaluatePolicy(policy, candidateSubject, currentSubject)
    if (verdict.missing.length > 0 && !req.force) {
      throw invalidParameter(
        `The promotion policy for alias '${alias}' names metrics the runs do not have: ${verdict.missing.join('; ')}. Nothing was changed.`,
      )
    }

    const outcome: PromotionOutcome = {
      name: req.name,
      alias,
      candidate: { version: candidate.version, runId: candidate.runId },
      ...(current ? { current: { version: current.version, runId: current.runId } } : {}),
      checks: verdict.checks,
      passed: verdict.passed,
      dryRun: req.dryRun,
      forced: req.force,
      moved: false,
      message: '',
    }
    const failures = verdict.checks.filter((c) => !c.passed).map((c) => c.message)
    const why =
      policy === null
        ? 'there is no policy'
        : failures.length > 0
          ? failures.join('; ')
          : 'every check passes'
    const move = `'${alias}' ${shown(holder)} → version ${candidateVersion}`
    if (req.dryRun) {
      const would = verdict.passed || req.force ? 'would move' : 'would not move'
      return {
        ...outcome,
        message: `Dry run: ${move} ${would}${req.force && !verdict.passed ? ' (forced)' : ''}: ${why}.`,
      }
    }
    if (!verdict.passed && !req.force) return { ...outcome, message: `Not promoted: ${why}.` }

    const action = req.force ? 'promote_forced' : 'promote'
    await this.deps.beforeAliasMove?.({
      name: req.name,
      alias,
      expected: holder,
      target: candidateVersion,
      action,
    })
    const moved = await store.setAlias(
      { name: req.name, alias, version: candidateVersion, expected: holder },
      {
        user: actor.user,
        action,
        ...(reason !== '' ? { reason } : {}),
        details: {
          policy_passed: verdict.passed,
          checks: verdict.checks.map((c) => ({ kind: c.kind, passed: c.passed, message: c.message })),
        },
      },
    )
    this.announce(moved)
    return {
      ...outcome,
      moved: true,
      message: `Promoted: ${move}${req.force && !verdict.passed ? ' (forced)' : ''}: ${why}.`,
      ...(moved.eventId !== null ? { eventId: moved.eventId } : {}),
    }
  }

  // Rollback.

  async rollback(
    req: { name: string; alias?: string; reason: string },
    actor: Actor,
  ): Promise<RollbackResult> {
    const { store } = this.deps
    validateModelName(req.name)
    const alias = aliasOrDefault(req.alias)
    validateAliasName(alias)
    const history = await store.aliasHistory(req.name, alias)
    const step = rollbackStep(history.events)
    if (step === null) {
      throw new CairnError(
        'INVALID_STATE',
        `Alias '${alias}' of model '${req.name}' has never moved; there is nothing to roll back.`,
      )
    }
    if (step.target === null) {
      throw new CairnError(
        'INVALID_STATE',
        `Alias '${alias}' of model '${req.name}' was unset before version ${step.undoes.newValue ?? step.undoes.version} took it; there is no earlier version to roll back to. Nothing was changed.`,
      )
    }
    const target = Number(step.target)
    const exists = await store.getModelVersion(req.name, target).then(
      () => true,
      (err: unknown) => {
        if (err instanceof CairnError && err.code === 'RESOURCE_DOES_NOT_EXIST') return false
        throw err
      },
    )
    if (!exists) {
      throw new CairnError(
        'INVALID_STATE',
        `Cannot roll back alias '${alias}' of model '${req.name}' to version ${target}: that version was deleted. Nothing was changed.`,
      )
    }
    if (target === history.current) {
      throw new CairnError(
        'INVALID_STATE',
        `Alias '${alias}' of model '${req.name}' already points at version ${target}.`,
      )
    }
    await this.deps.beforeAliasMove?.({
      name: req.name,
      alias,
      expected: history.current,
      target,
      action: 'rollback',
    })
    const reason = req.reason.trim()
    const moved = await store.setAlias(
      { name: req.name, alias, version: target, expected: history.current },
      {
        user: actor.user,
        action: 'rollback',
        ...(reason !== '' ? { reason } : {}),
        details: { undoes_event: step.undoes.eventId },
      },
    )
    this.announce(moved)
    return {
      name: req.name,
      alias,
      fromVersion: history.current === null ? null : String(history.current),
      toVersion: String(target),
      eventId: moved.eventId!,
    }
  }
}

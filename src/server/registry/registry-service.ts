/**
 * The registry service: MLflow's registry rules above the RegistryStore (names, tags, aliases,
 * stages, version sources), version registration (PENDING_REGISTRATION → READY or
 * FAILED_REGISTRATION after reading the files), the model-URI resolver, change notifications, and
 * promotions (promotion.ts). Routes, serving and pipelines use it; none of them touch the store.
 */
import type { Tag } from '../../protocol/entities.js'
import { invalidParameter } from '../../protocol/errors.js'
import type {
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
  RegistryEvent,
} from '../../protocol/registry-entities.js'
import {
  ACTIVE_STAGES,
  canonicalStage,
  parseModelVersion,
  validateAliasName,
  validateModelName,
} from '../../protocol/registry-validation.js'
import { validateLength, validateTag } from '../../protocol/validation.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import type { Logger } from '../logging.js'
import type { AuditInput, RegistrySearchInput, RegistryStore } from '../store/registry-store.js'
import type { Page, TrackingStore } from '../store/tracking-store.js'
import { readRegistration } from './mlmodel.js'
import { RegistryNotifications } from './notifications.js'
import { PromotionService, type AliasMoveHook } from './promotion.js'
import { ModelUriResolver, type ResolvedModel } from './resolver.js'
import { resolveSource } from './source.js'

/** Who asks, and (for plain alias moves) why: recorded in the audit trail. */
export interface Actor {
  user: string
  reason?: string
}

const auditOf = (actor: Actor): AuditInput => ({
  user: actor.user,
  ...(actor.reason?.trim() ? { reason: actor.reason.trim() } : {}),
})

export interface RegistryServiceDeps {
  store: RegistryStore
  tracking: TrackingStore
  artifacts: ArtifactStore
  logger?: Logger
  /** Runs after a promotion or rollback has decided, just before it moves the alias (tests, tracing). */
  beforeAliasMove?: AliasMoveHook
}

export interface CreateVersionRequest {
  name: string
  source: string
  runId: string
  runLink: string
  description: string
  tags: Tag[]
}

const MAX_DESCRIPTION = 5000

function checkTags(tags: readonly Tag[]): void {
  for (const t of tags) validateTag(t.key, t.value)
}

export class RegistryService {
  readonly notifications: RegistryNotifications
  readonly resolver: ModelUriResolver
  readonly promotion: PromotionService
  private readonly store: RegistryStore

  constructor(private readonly deps: RegistryServiceDeps) {
    this.store = deps.store
    this.notifications = new RegistryNotifications(deps.logger)
    this.resolver = new ModelUriResolver({ store: deps.store, tracking: deps.tracking })
    this.promotion = new PromotionService({
      store: deps.store,
      tracking: deps.tracking,
      notifications: this.notifications,
      ...(deps.beforeAliasMove ? { beforeAliasMove: deps.beforeAliasMove } : {}),
    })
  }

  // Registered models.

  async createRegisteredModel(input: {
    name: string
    description: string
    tags: Tag[]
  }): Promise<RegisteredModel> {
    validateModelName(input.name)
    checkTags(input.tags)
    validateLength('Registered model description', input.description, MAX_DESCRIPTION)
    return this.store.createRegisteredModel(input)
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name)
    return this.store.getRegisteredModel(name)
  }

  async renameRegisteredModel(name: string, newName: string, actor: Actor): Promise<RegisteredModel> {
    validateModelName(name)
    validateModelName(newName)
    const renamed = await this.store.renameRegisteredModel(name, newName, { user: actor.user })
    if (newName !== name) this.notifications.emit({ type: 'model_renamed', name, newName })
    return renamed
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    validateModelName(name)
    validateLength('Registered model description', description, MAX_DESCRIPTION)
    return this.store.updateRegisteredModel(name, description)
  }

  async deleteRegisteredModel(name: string, actor: Actor): Promise<void> {
    validateModelName(name)
    const deleted = await this.store.deleteRegisteredModel(name, { user: actor.user })
    this.notifications.emit({ type: 'model_deleted', name: deleted.name })
  }

  async searchRegisteredModels(input: RegistrySearchInput): Promise<Page<RegisteredModel>> {
    return this.store.searchRegisteredModels(input)
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateModelName(name)
    validateTag(tag.key, tag.value)
    await this.store.setRegisteredModelTag(name, tag)
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name)
    validateTag(key, '')
    await this.store.deleteRegisteredModelTag(name, key)
  }

  /** MLflow's get-latest-versions: the model's `latest_versions`, limited to `stages` when given. */
  async getLatestVersions(name: string, stages: readonly string[]): Promise<ModelVersion[]> {
    validateModelName(name)
    const wanted = new Set<ModelVersionStage>(stages.map(canonicalStage))
    const model = await this.store.getRegisteredModel(name)
    return wanted.size === 0
      ? model.latestVersions
      : model.latestVersions.filter((v) => wanted.has(v.currentStage))
  }

  // Model versions.

  /**
   * Registers a version: checks the source, records it PENDING_REGISTRATION (with its audit
   * event), reads the files where they are (nothing is copied), then records READY or
   * FAILED_REGISTRATION. The answer is the final state.
   */
  async createModelVersion(req: CreateVersionRequest, actor: Actor): Promise<ModelVersion> {
    validateModelName(req.name)
    checkTags(req.tags)
    validateLength('Model version description', req.description, MAX_DESCRIPTION)
    const { storageLocation, runId } = await resolveSource(req.source, req.runId, {
      tracking: this.deps.tracking,
      resolver: this.resolver,
    })
    const pending = await this.store.createModelVersion(
      {
        name: req.name,
        source: req.source,
        storageLocation,
        runId,
        runLink: req.runLink,
        description: req.description,
        userId: actor.user,
        tags: req.tags,
        status: 'PENDING_REGISTRATION',
        statusMessage: '',
        signature: null,
      },
      { user: actor.user },
    )
    const version = parseModelVersion(pending.version)
    const outcome = await readRegistration(storageLocation, this.deps.artifacts)
    const done = await this.store.finishRegistration(req.name, version, outcome)
    this.notifications.emit({ type: 'version_created', name: req.name, version: done.version })
    return done
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name)
    return this.store.getModelVersion(name, parseModelVersion(version))
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    validateModelName(name)
    validateLength('Model version description', description, MAX_DESCRIPTION)
    return this.store.updateModelVersion(name, parseModelVersion(version), description)
  }

  async deleteModelVersion(name: string, version: string, actor: Actor): Promise<void> {
    validateModelName(name)
    const deleted = await this.store.deleteModelVersion(name, parseModelVersion(version), {
      user: actor.user,
    })
    for (const alias of deleted.removedAliases) {
      this.notifications.emit({
        type: 'alias_moved',
        name,
        alias,
        oldVersion: String(deleted.version),
        newVersion: null,
      })
    }
    this.notifications.emit({ type: 'version_deleted', name, version: String(deleted.version) })
  }

  async transitionStage(
    input: {
      name: string
      version: string
      stage: string
      archiveExistingVersions: boolean
      reason?: string
    },
    actor: Actor,
  ): Promise<ModelVersion> {
    validateModelName(input.name)
    const version = parseModelVersion(input.version)
    const stage = canonicalStage(input.stage)
    if (input.archiveExistingVersions && !ACTIVE_STAGES.includes(stage)) {
      // MLflow raises this as a 500; it is the client's mistake.
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}`,
      )
    }
    const audit: AuditInput = { user: actor.user, ...(input.reason ? { reason: input.reason } : {}) }
    return this.store.transitionModelVersionStage(
      { name: input.name, version, stage, archiveExisting: input.archiveExistingVersions },
      audit,
    )
  }

  async searchModelVersions(input: RegistrySearchInput): Promise<Page<ModelVersion>> {
    return this.store.searchModelVersions(input)
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateModelName(name)
    const n = parseModelVersion(version)
    validateTag(tag.key, tag.value)
    await this.store.setModelVersionTag(name, n, tag)
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name)
    const n = parseModelVersion(version)
    validateTag(key, '')
    await this.store.deleteModelVersionTag(name, n, key)
  }

  /** MLflow's get-download-uri: where the files are (the source, or what a runs:/ source resolved to). */
  async getDownloadUri(name: string, version: string): Promise<string> {
    const v = await this.getModelVersion(name, version)
    return v.storageLocation ?? v.source
  }

  // Aliases (MLflow's plain set/delete: no policy, no compare-and-set; still audited).

  async setAlias(name: string, alias: string, version: string, actor: Actor): Promise<void> {
    validateModelName(name)
    validateAliasName(alias)
    const move = await this.store.setAlias(
      { name, alias, version: parseModelVersion(version) },
      auditOf(actor),
    )
    if (move.eventId !== null) this.promotion.announce(move)
  }

  async deleteAlias(name: string, alias: string, actor: Actor): Promise<void> {
    validateModelName(name)
    validateAliasName(alias)
    const move = await this.store.deleteAlias({ name, alias }, auditOf(actor))
    if (move.eventId !== null) this.promotion.announce(move)
  }

  /** MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404. */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name)
    const version = await this.store.getAliasVersion(name, alias)
    if (version === null) throw invalidParameter(`Registered model alias ${alias} not found.`)
    return this.store.getModelVersion(name, version)
  }

  // Cairn's own.

  async history(input: {
    name: string
    alias?: string
    maxResults: number
    offset: number
  }): Promise<Page<RegistryEvent>> {
    validateModelName(input.name)
    return this.store.listEvents(input)
  }

  async resolve(uri: string): Promise<ResolvedModel> {
    return this.resolver.resolve(uri)
  }
}

/**
 * The model registry in the SDK: `client.registry`. MLflow's registry API (registered models,
 * versions, tags, stages, aliases) works against Cairn and MLflow alike; history, promotion
 * policies, promote, rollback and `resolve` are Cairn's own routes (`/api/2.0/cairn/registry/…`).
 * Changes are recorded in Cairn's audit trail under the client's user (`X-Cairn-User`).
 *
 * @example
 * const reg = new CairnClient().registry
 * const v = await reg.registerModel(`runs:/${runId}/model`, 'fraud', { wait: true })
 * const verdict = await reg.promote('fraud', v.version, { dryRun: true })
 * if (verdict.passed) await reg.promote('fraud', v.version)
 */
import { CairnError } from '../protocol/errors.js'
import type { PromotionOutcome } from '../protocol/promotion-policy.js'
import { REGISTRY_API as API } from '../protocol/registry-api.js'
import type {
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
  StoredPolicy,
} from '../protocol/registry-entities.js'
import {
  modelVersionFromWire,
  promotionOutcomeFromWire,
  registeredModelFromWire,
  registryEventFromWire,
} from '../protocol/registry-wire.js'
import { CairnApiError } from './errors.js'
import type { HttpClient } from './http.js'
import {
  policyFromWire,
  runIdOfRunsUri,
  tagList,
  type CreateModelVersionOptions,
  type ModelVersionPage,
  type PromoteOptions,
  type RegisteredModelPage,
  type RegistryHistoryOptions,
  type RegistryHistoryPage,
  type RegistrySearchOptions,
  type ResolvedModelUri,
  type RollbackResult,
  type VersionRef,
} from './registry-types.js'
import { sleep } from './retry.js'
import { paginate, type Page } from './search.js'

const DEFAULT_ALIAS = 'champion'

const isCode = (err: unknown, code: string): boolean => err instanceof CairnApiError && err.code === code

export class RegistryClient {
  constructor(private readonly http: HttpClient) {}

  // --- registered models ---

  async createRegisteredModel(
    name: string,
    opts: { tags?: Record<string, string>; description?: string } = {},
  ): Promise<RegisteredModel> {
    const answer = await this.http.call(API.createRegisteredModel, {
      name,
      tags: tagList(opts.tags),
      ...(opts.description ? { description: opts.description } : {}),
    })
    return registeredModelFromWire(answer.registered_model)
  }

  /** With its aliases, tags and latest version per stage. */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const answer = await this.http.call(API.getRegisteredModel, { name })
    return registeredModelFromWire(answer.registered_model)
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const answer = await this.http.call(API.renameRegisteredModel, { name, new_name: newName })
    return registeredModelFromWire(answer.registered_model)
  }

  /** `description` undefined clears it (as MLflow's update). */
  async updateRegisteredModel(name: string, opts: { description?: string }): Promise<RegisteredModel> {
    const answer = await this.http.call(API.updateRegisteredModel, {
      name,
      ...(opts.description !== undefined ? { description: opts.description } : {}),
    })
    return registeredModelFromWire(answer.registered_model)
  }

  /** Deletes its versions, tags, aliases and policies; Cairn keeps the audit trail. */
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.http.call(API.deleteRegisteredModel, { name })
  }

  /** One page, or with `autoPaginate` every page up to `maxResults` models. */
  async searchRegisteredModels(opts: RegistrySearchOptions = {}): Promise<RegisteredModelPage> {
    const page = await this.pages(opts, async (size, token) => {
      const answer = await this.http.call(API.searchRegisteredModels, searchRequest(opts, size, token))
      return { items: answer.registered_models ?? [], nextPageToken: answer.next_page_token || null }
    })
    return { registeredModels: page.items.map(registeredModelFromWire), nextPageToken: page.nextPageToken }
  }

  /** The highest version in each stage (all stages when `stages` is empty). */
  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const answer = await this.http.call(API.getLatestVersions, { name, stages })
    return (answer.model_versions ?? []).map(modelVersionFromWire)
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.call(API.setRegisteredModelTag, { name, key, value })
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.http.call(API.deleteRegisteredModelTag, { name, key })
  }

  // --- aliases ---

  /** Points the alias at a version (no policy: see `promote`). `reason` goes to Cairn's audit trail. */
  async setAlias(
    name: string,
    alias: string,
    version: VersionRef,
    opts: { reason?: string } = {},
  ): Promise<void> {
    await this.http.call(API.setRegisteredModelAlias, {
      name,
      alias,
      version: String(version),
      ...(opts.reason ? { reason: opts.reason } : {}),
    })
  }

  /** Removing an alias that is not set is not an error (MLflow). */
  async deleteAlias(name: string, alias: string, opts: { reason?: string } = {}): Promise<void> {
    await this.http.call(API.deleteRegisteredModelAlias, {
      name,
      alias,
      ...(opts.reason ? { reason: opts.reason } : {}),
    })
  }

  /** The version the alias points at; an unset alias is INVALID_PARAMETER_VALUE (400), as MLflow. */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const answer = await this.http.call(API.getModelVersionByAlias, { name, alias })
    return modelVersionFromWire(answer.model_version)
  }

  // --- model versions ---

  /**
   * Registers the model at `modelUri` (`runs:/<run_id>/<path>`, `models:/…`, or a location) as a
   * new version of `name`, creating the registered model first if needed (as `mlflow.register_model`).
   */
  async registerModel(
    modelUri: string,
    name: string,
    opts: CreateModelVersionOptions = {},
  ): Promise<ModelVersion> {
    try {
      await this.createRegisteredModel(name)
    } catch (err) {
      if (!isCode(err, 'RESOURCE_ALREADY_EXISTS')) throw err
    }
    return this.createModelVersion(name, modelUri, opts)
  }

  async createModelVersion(
    name: string,
    source: string,
    opts: CreateModelVersionOptions = {},
  ): Promise<ModelVersion> {
    const runId = opts.runId ?? runIdOfRunsUri(source)
    const answer = await this.http.call(API.createModelVersion, {
      name,
      source,
      ...(runId ? { run_id: runId } : {}),
      tags: tagList(opts.tags),
      ...(opts.runLink ? { run_link: opts.runLink } : {}),
      ...(opts.description ? { description: opts.description } : {}),
    })
    const version = modelVersionFromWire(answer.model_version)
    if (!opts.wait || version.status !== 'PENDING_REGISTRATION') return version
    return this.waitForVersion(name, version.version, opts)
  }

  /** Polls until the version is READY or FAILED_REGISTRATION. */
  async waitForVersion(
    name: string,
    version: VersionRef,
    opts: { waitTimeoutMs?: number; pollIntervalMs?: number } = {},
  ): Promise<ModelVersion> {
    const deadline = Date.now() + (opts.waitTimeoutMs ?? 300_000)
    for (;;) {
      const v = await this.getModelVersion(name, version)
      if (v.status !== 'PENDING_REGISTRATION') return v
      if (Date.now() >= deadline) {
        throw new CairnError(
          'INVALID_STATE',
          `Version ${v.version} of '${name}' is still PENDING_REGISTRATION after ${Math.round((opts.waitTimeoutMs ?? 300_000) / 1000)} s.`,
        )
      }
      await sleep(opts.pollIntervalMs ?? 1000)
    }
  }

  async getModelVersion(name: string, version: VersionRef): Promise<ModelVersion> {
    const answer = await this.http.call(API.getModelVersion, { name, version: String(version) })
    return modelVersionFromWire(answer.model_version)
  }

  /** Search answers carry no aliases (as MLflow); `getModelVersion` has them. */
  async searchModelVersions(opts: RegistrySearchOptions = {}): Promise<ModelVersionPage> {
    const page = await this.pages(opts, async (size, token) => {
      const answer = await this.http.call(API.searchModelVersions, searchRequest(opts, size, token))
      return { items: answer.model_versions ?? [], nextPageToken: answer.next_page_token || null }
    })
    return { modelVersions: page.items.map(modelVersionFromWire), nextPageToken: page.nextPageToken }
  }

  /** `description` undefined clears it. */
  async updateModelVersion(
    name: string,
    version: VersionRef,
    opts: { description?: string },
  ): Promise<ModelVersion> {
    const answer = await this.http.call(API.updateModelVersion, {
      name,
      version: String(version),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
    })
    return modelVersionFromWire(answer.model_version)
  }

  /** Also removes the aliases pointing at it. */
  async deleteModelVersion(name: string, version: VersionRef): Promise<void> {
    await this.http.call(API.deleteModelVersion, { name, version: String(version) })
  }

  async setModelVersionTag(name: string, version: VersionRef, key: string, value: string): Promise<void> {
    await this.http.call(API.setModelVersionTag, { name, version: String(version), key, value })
  }

  async deleteModelVersionTag(name: string, version: VersionRef, key: string): Promise<void> {
    await this.http.call(API.deleteModelVersionTag, { name, version: String(version), key })
  }

  /** MLflow's stages (None, Staging, Production, Archived; any case). */
  async transitionStage(
    name: string,
    version: VersionRef,
    stage: ModelVersionStage | (string & {}),
    opts: { archiveExistingVersions?: boolean } = {},
  ): Promise<ModelVersion> {
    const answer = await this.http.call(API.transitionModelVersionStage, {
      name,
      version: String(version),
      stage,
      archive_existing_versions: opts.archiveExistingVersions ?? false,
    })
    return modelVersionFromWire(answer.model_version)
  }

  /** Where the version's files are. */
  async getDownloadUri(name: string, version: VersionRef): Promise<string> {
    const answer = await this.http.call(API.getModelVersionDownloadUri, { name, version: String(version) })
    return answer.artifact_uri
  }

  // --- Cairn's own: audit trail, policies, promote, rollback, resolve ---

  /** The audit trail, newest first: one page, or with `autoPaginate` up to `maxResults` events. */
  async getHistory(name: string, opts: RegistryHistoryOptions = {}): Promise<RegistryHistoryPage> {
    const page = await this.pages(opts, async (size, token) => {
      const answer = await this.http.call(API.getRegistryHistory, {
        name,
        ...(opts.alias ? { alias: opts.alias } : {}),
        ...(size !== undefined ? { max_results: size } : {}),
        ...(token ? { page_token: token } : {}),
      })
      return { items: answer.events ?? [], nextPageToken: answer.next_page_token || null }
    })
    return { events: page.items.map(registryEventFromWire), nextPageToken: page.nextPageToken }
  }

  /** The alias's promotion policy (default alias `champion`), or null when it has none. */
  async getPolicy(name: string, alias: string = DEFAULT_ALIAS): Promise<StoredPolicy | null> {
    try {
      return policyFromWire(await this.http.call(API.getPromotionPolicy, { name, alias }), { name, alias })
    } catch (err) {
      if (!isCode(err, 'RESOURCE_DOES_NOT_EXIST')) throw err
      // The same 404 means "no such model": that one is the caller's error.
      await this.getRegisteredModel(name)
      return null
    }
  }

  /**
   * Stores a policy (the alias it governs is its `alias`, default `champion`): a document object,
   * or YAML/JSON text. An invalid policy is INVALID_PARAMETER_VALUE listing every problem.
   */
  async setPolicy(name: string, policy: Record<string, unknown> | string): Promise<StoredPolicy> {
    const answer = await this.http.call(
      API.setPromotionPolicy,
      typeof policy === 'string' ? { name, policy_text: policy } : { name, policy },
    )
    const alias =
      typeof policy === 'object' && typeof policy['alias'] === 'string' ? policy['alias'] : DEFAULT_ALIAS
    return policyFromWire(answer, { name, alias })
  }

  /** Deleting a policy that does not exist is not an error. */
  async deletePolicy(name: string, alias: string = DEFAULT_ALIAS): Promise<void> {
    await this.http.call(API.deletePromotionPolicy, { name, alias })
  }

  /**
   * Evaluates the alias's policy for the candidate against the current holder and moves the alias
   * if every check passes (or with `force` and a `reason`). A failing policy is an answer
   * (`passed: false, moved: false`), not an error; losing a race to another promotion is
   * RESOURCE_CONFLICT (409). Never retried: the first answer is the one that counts.
   */
  async promote(
    name: string,
    candidateVersion: VersionRef,
    opts: PromoteOptions = {},
  ): Promise<PromotionOutcome> {
    const expected = opts.expectedCurrentVersion
    const answer = await this.http.call(
      API.promoteModelVersion,
      {
        name,
        candidate_version: String(candidateVersion),
        ...(opts.alias ? { alias: opts.alias } : {}),
        dry_run: opts.dryRun ?? false,
        force: opts.force ?? false,
        ...(opts.reason ? { reason: opts.reason } : {}),
        ...(expected !== undefined
          ? { expected_current_version: expected === null ? '' : String(expected) }
          : {}),
      },
      { retry: false },
    )
    return promotionOutcomeFromWire(answer)
  }

  /**
   * Moves the alias back to the version it pointed at before (repeat to walk further back).
   * Never retried: a retry after a lost answer would roll back twice.
   */
  async rollback(name: string, opts: { alias?: string; reason?: string } = {}): Promise<RollbackResult> {
    const answer = await this.http.call(
      API.rollbackAlias,
      { name, ...(opts.alias ? { alias: opts.alias } : {}), ...(opts.reason ? { reason: opts.reason } : {}) },
      { retry: false },
    )
    return {
      name: answer.name,
      alias: answer.alias,
      fromVersion: answer.from_version ?? null,
      toVersion: String(answer.to_version),
      eventId: Number(answer.event_id),
    }
  }

  /** `models:/name/3`, `models:/name@alias`, `models:/name/Production`, `models:/name/latest`, `runs:/id/path`, or a location. */
  async resolve(uri: string): Promise<ResolvedModelUri> {
    const answer = await this.http.call(API.resolveModelUri, { uri })
    return {
      uri: answer.uri,
      location: answer.location,
      ...(answer.run_id !== undefined ? { runId: answer.run_id } : {}),
      ...(answer.model_version ? { modelVersion: modelVersionFromWire(answer.model_version) } : {}),
    }
  }

  private async pages<T>(
    opts: { maxResults?: number; pageToken?: string; autoPaginate?: boolean },
    fetchPage: (size: number | undefined, token: string | undefined) => Promise<Page<T>>,
  ): Promise<Page<T>> {
    if (!opts.autoPaginate) return fetchPage(opts.maxResults, opts.pageToken || undefined)
    return paginate(opts.maxResults, opts.pageToken, fetchPage)
  }
}

function searchRequest(opts: RegistrySearchOptions, size: number | undefined, token: string | undefined) {
  return {
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.orderBy?.length ? { order_by: opts.orderBy } : {}),
    ...(size !== undefined ? { max_results: size } : {}),
    ...(token ? { page_token: token } : {}),
  }
}

/**
 * SqliteRegistryStore: the registry in the same SQLite database (and on the same connection) as
 * the tracking store, so one file holds everything and the two never wait on each other's locks.
 * Writes run in IMMEDIATE transactions: the write lock is taken before anything is read, which is
 * what makes alias compare-and-set hold across processes sharing the file.
 */
import { CairnError } from '../../../../protocol/errors.js'
import type { Tag } from '../../../../protocol/entities.js'
import type {
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  StoredPolicy,
} from '../../../../protocol/registry-entities.js'
import { systemClock, type Clock } from '../../../util/clock.js'
import type {
  AliasHistory,
  AliasMove,
  AuditInput,
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  DeleteAliasInput,
  DeletedModel,
  DeletedVersion,
  HistoryInput,
  RegistrationOutcome,
  RegistrySearchInput,
  RegistryStore,
  SetAliasInput,
  TransitionInput,
} from '../../registry-store.js'
import type { Page } from '../../tracking-store.js'
import { StatementCache } from '../context.js'
import type { SqliteDb } from '../db.js'
import { SqliteAliases } from './aliases.js'
import { SqliteRegistryEvents } from './events.js'
import { SqliteRegisteredModels } from './models.js'
import { SqlitePolicies } from './policies.js'
import type { RegistryContext } from './rows.js'
import { compileModelVersionSearch, compileRegisteredModelSearch } from './search-sql-registry.js'
import { SqliteModelVersions } from './versions.js'

export interface SqliteRegistryStoreOptions {
  /** The tracking store's connection (migrations already applied); this store never closes it. */
  db: SqliteDb
  clock?: Clock
}

type Runner = ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown }

export class SqliteRegistryStore implements RegistryStore {
  readonly kind = 'sqlite'
  private readonly ctx: RegistryContext
  private readonly events: SqliteRegistryEvents
  private readonly versions: SqliteModelVersions
  private readonly models: SqliteRegisteredModels
  private readonly aliases: SqliteAliases
  private readonly policies: SqlitePolicies
  private readonly tx: Runner

  constructor(opts: SqliteRegistryStoreOptions) {
    this.ctx = { db: opts.db, clock: opts.clock ?? systemClock, sql: new StatementCache(opts.db) }
    this.events = new SqliteRegistryEvents(this.ctx)
    this.versions = new SqliteModelVersions(this.ctx, this.events)
    this.models = new SqliteRegisteredModels(this.ctx, this.versions, this.events)
    this.aliases = new SqliteAliases(this.ctx, this.versions, this.events)
    this.policies = new SqlitePolicies(this.ctx, this.events)
    this.tx = opts.db.transaction((fn: () => unknown) => fn())
  }

  /** A write: IMMEDIATE, all or nothing. */
  private write<T>(fn: () => T): T {
    return this.tx.immediate(fn) as T
  }

  /** A read of several statements from one snapshot. */
  private read<T>(fn: () => T): T {
    return this.tx(fn) as T
  }

  private loadModel(name: string): RegisteredModel {
    return this.models.load([this.models.row(name)])[0]!
  }

  async createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    return this.write(() => this.models.load([this.models.create(input)])[0]!)
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.read(() => this.loadModel(name))
  }
  async renameRegisteredModel(name: string, newName: string, audit: AuditInput): Promise<RegisteredModel> {
    return this.write(() => this.models.load([this.models.rename(name, newName, audit)])[0]!)
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.write(() => this.models.load([this.models.updateDescription(name, description)])[0]!)
  }
  async deleteRegisteredModel(name: string, audit: AuditInput): Promise<DeletedModel> {
    return this.write(() => this.models.delete(name, audit))
  }
  async searchRegisteredModels(input: RegistrySearchInput): Promise<Page<RegisteredModel>> {
    return this.read(() => {
      const q = compileRegisteredModelSearch({ ...input, limit: input.maxResults + 1 })
      const pks = this.ctx.sql.pluck(q.sql).all(...q.params) as number[]
      const more = pks.length > input.maxResults
      const page = more ? pks.slice(0, input.maxResults) : pks
      return {
        items: this.models.load(this.models.rowsByPk(page)),
        nextOffset: more ? input.offset + input.maxResults : null,
      }
    })
  }
  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    this.write(() => this.models.setTag(this.models.row(name).model_pk, tag))
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    this.write(() => this.models.deleteTag(this.models.row(name).model_pk, key))
  }

  async createModelVersion(input: CreateModelVersionInput, audit: AuditInput): Promise<ModelVersion> {
    return this.write(() => {
      const version = this.versions.create(this.models.row(input.name), input, audit)
      return this.versions.get(input.name, version)
    })
  }
  async finishRegistration(
    name: string,
    version: number,
    outcome: RegistrationOutcome,
  ): Promise<ModelVersion> {
    return this.write(() => {
      this.versions.finish(this.versionModel(name, version), version, outcome)
      return this.versions.get(name, version)
    })
  }
  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return this.read(() => this.versions.get(name, version))
  }
  async updateModelVersion(name: string, version: number, description: string): Promise<ModelVersion> {
    return this.write(() => {
      this.versions.updateDescription(this.versionModel(name, version), version, description)
      return this.versions.get(name, version)
    })
  }
  async deleteModelVersion(name: string, version: number, audit: AuditInput): Promise<DeletedVersion> {
    return this.write(() => this.versions.delete(this.versionModel(name, version), version, audit))
  }
  async transitionModelVersionStage(input: TransitionInput, audit: AuditInput): Promise<ModelVersion> {
    return this.write(() => {
      this.versions.transition(this.versionModel(input.name, input.version), input, audit)
      return this.versions.get(input.name, input.version)
    })
  }
  async searchModelVersions(input: RegistrySearchInput): Promise<Page<ModelVersion>> {
    return this.read(() => {
      const q = compileModelVersionSearch({ ...input, limit: input.maxResults + 1 })
      const rows = this.ctx.sql.raw(q.sql).all(...q.params) as [number, number][]
      const more = rows.length > input.maxResults
      const page = more ? rows.slice(0, input.maxResults) : rows
      return {
        // MLflow's search answers carry no aliases (get does); so do Cairn's.
        items: this.versions.load(
          page.map(([modelPk, version]) => ({ modelPk, version })),
          { aliases: false },
        ),
        nextOffset: more ? input.offset + input.maxResults : null,
      }
    })
  }
  async setModelVersionTag(name: string, version: number, tag: Tag): Promise<void> {
    this.write(() => {
      const model = this.versionModel(name, version)
      this.versions.requireExists(model, version)
      this.versions.setTag(model.model_pk, version, tag)
    })
  }
  async deleteModelVersionTag(name: string, version: number, key: string): Promise<void> {
    this.write(() => {
      const model = this.versionModel(name, version)
      this.versions.requireExists(model, version)
      this.versions.deleteTag(model.model_pk, version, key)
    })
  }

  /** The model of a version; an unknown model reads as an unknown version, as in MLflow's messages. */
  private versionModel(name: string, version: number): ReturnType<SqliteRegisteredModels['row']> {
    const row = this.models.find(name)
    if (!row)
      throw new CairnError(
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=${version}) not found`,
      )
    return row
  }

  async setAlias(input: SetAliasInput, audit: AuditInput): Promise<AliasMove> {
    return this.write(() => this.aliases.set(this.versionModel(input.name, input.version), input, audit))
  }
  async deleteAlias(input: DeleteAliasInput, audit: AuditInput): Promise<AliasMove> {
    return this.write(() => this.aliases.delete(this.models.row(input.name), input, audit))
  }
  async getAliasVersion(name: string, alias: string): Promise<number | null> {
    const v = this.ctx.sql
      .pluck(
        `SELECT a.version FROM registered_models m JOIN registered_model_aliases a ON a.model_pk = m.model_pk
          WHERE m.name = ? AND a.alias = ?`,
      )
      .get(name, alias) as number | undefined
    return v ?? null
  }
  async aliasHistory(name: string, alias: string): Promise<AliasHistory> {
    return this.read(() => this.events.aliasHistory(this.models.row(name).model_pk, alias))
  }

  async listEvents(input: HistoryInput): Promise<Page<RegistryEvent>> {
    return this.read(() => this.events.list(this.models.row(input.name).model_pk, input))
  }

  async getPolicy(name: string, alias: string): Promise<StoredPolicy | null> {
    return this.read(() => this.policies.get(this.models.row(name), alias))
  }
  async listPolicies(name: string): Promise<StoredPolicy[]> {
    return this.read(() => this.policies.list(this.models.row(name)))
  }
  async setPolicy(
    policy: { name: string; alias: string; document: Record<string, unknown> },
    audit: AuditInput,
  ): Promise<StoredPolicy> {
    return this.write(() => this.policies.set(this.models.row(policy.name), policy, audit))
  }
  async deletePolicy(name: string, alias: string, audit: AuditInput): Promise<boolean> {
    return this.write(() => this.policies.delete(this.models.row(name), alias, audit))
  }

  /** The connection belongs to the tracking store, which closes it. */
  async close(): Promise<void> {}
}

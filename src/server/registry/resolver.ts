/**
 * The one model-URI resolver: everything in Cairn that takes a model (serving, version sources
 * given as `models:/…`, the resolve route) turns the URI into a location here. Forms are listed
 * in protocol/model-uri.ts. Unknown models, versions, aliases, stages and runs are
 * RESOURCE_DOES_NOT_EXIST with a message naming what is missing.
 */
import { CairnError, notFound } from '../../protocol/errors.js'
import { parseModelUri } from '../../protocol/model-uri.js'
import type { ModelVersion } from '../../protocol/registry-entities.js'
import type { RegistryStore } from '../store/registry-store.js'
import type { TrackingStore } from '../store/tracking-store.js'

export interface ResolvedModel {
  uri: string
  /** Where the model's files are (a URI the artifact layer reads, or one the client's tools read). */
  location: string
  /** The version, for `models:/` URIs. */
  version?: ModelVersion
  /** The run behind it, when known. */
  runId?: string
}

/** `<artifact root>/<path>` without doubled slashes. */
export function joinUri(root: string, path: string): string {
  return path === '' ? root : `${root.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}

export class ModelUriResolver {
  constructor(private readonly deps: { store: RegistryStore; tracking: TrackingStore }) {}

  private async version(name: string, version: number): Promise<ModelVersion> {
    try {
      return await this.deps.store.getModelVersion(name, version)
    } catch (err) {
      if (err instanceof CairnError && err.code === 'RESOURCE_DOES_NOT_EXIST')
        await this.deps.store.getRegisteredModel(name)
      throw err
    }
  }

  private resolved(uri: string, v: ModelVersion): ResolvedModel {
    const out: ResolvedModel = { uri, location: v.storageLocation ?? v.source, version: v }
    if (v.runId !== '') out.runId = v.runId
    return out
  }

  async resolve(uri: string): Promise<ResolvedModel> {
    const parsed = parseModelUri(uri)
    const { store, tracking } = this.deps
    switch (parsed.kind) {
      case 'version':
        return this.resolved(uri, await this.version(parsed.name, parsed.version))
      case 'alias': {
        const v = await store.getAliasVersion(parsed.name, parsed.alias)
        if (v === null) {
          await store.getRegisteredModel(parsed.name)
          throw notFound(`Registered model '${parsed.name}' has no alias '${parsed.alias}'.`)
        }
        return this.resolved(uri, await this.version(parsed.name, v))
      }
      case 'stage':
      case 'latest': {
        const model = await store.getRegisteredModel(parsed.name)
        const candidates =
          parsed.kind === 'stage'
            ? model.latestVersions.filter((v) => v.currentStage === parsed.stage)
            : model.latestVersions
        if (candidates.length === 0) {
          throw notFound(
            parsed.kind === 'stage'
              ? `Registered model '${parsed.name}' has no version in stage ${parsed.stage}.`
              : `Registered model '${parsed.name}' has no versions.`,
          )
        }
        const latest = Math.max(...candidates.map((v) => Number(v.version)))
        return this.resolved(uri, await this.version(parsed.name, latest))
      }
      case 'run': {
        const run = await tracking.getRunInfo(parsed.runId)
        return { uri, location: joinUri(run.artifactUri, parsed.path), runId: run.runId }
      }
      case 'location':
        return { uri, location: parsed.uri }
    }
  }
}

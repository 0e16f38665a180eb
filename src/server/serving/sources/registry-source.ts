/**
 * The model source inside `cairn server`: URIs resolved by the registry's ModelUriResolver,
 * files copied out of the artifact store into the cache, and the registry's in-process change
 * notifications forwarded so a moved alias is seen at once.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { pipeline } from 'node:stream/promises'
import { CairnError, notFound } from '../../../protocol/errors.js'
import type { ArtifactStore } from '../../artifacts/artifact-store.js'
import { artifactsForRun } from '../../artifacts/open-artifacts.js'
import { joinRelative } from '../../artifacts/safe-path.js'
import type { RegistryNotifications } from '../../registry/notifications.js'
import type { ModelUriResolver } from '../../registry/resolver.js'
import type { ModelCache } from './cache.js'
import { nameOfUri, type ModelRef, type ModelSource, type RegistryChange } from './model-source.js'

export interface RegistrySourceDeps {
  resolver: ModelUriResolver
  artifacts: ArtifactStore
  notifications: RegistryNotifications
  cache: ModelCache
}

async function copyTree(store: ArtifactStore, base: string, dest: string): Promise<number> {
  let files = 0
  for (const entry of await store.list(base)) {
    const name = entry.path.split('/').pop()!
    const from = joinRelative(base, name)
    if (entry.isDir) {
      await mkdir(join(dest, name), { recursive: true })
      files += await copyTree(store, from, join(dest, name))
    } else {
      const file = await store.download(from)
      await pipeline(file.stream, createWriteStream(join(dest, name)))
      files++
    }
  }
  return files
}

export class RegistryModelSource implements ModelSource {
  constructor(private readonly deps: RegistrySourceDeps) {}

  async resolve(uri: string): Promise<ModelRef> {
    const r = await this.deps.resolver.resolve(uri)
    return {
      uri,
      name: r.version?.name ?? nameOfUri(uri, r.location),
      version: r.version ? r.version.version : null,
      location: r.location,
    }
  }

  async fetch(ref: ModelRef): Promise<string> {
    return this.deps.cache.materialize(ref, async (dir) => {
      const target = await artifactsForRun(ref.location, this.deps.artifacts)
      const files = await copyTree(target.store, target.base, dir)
      if (files === 0) throw notFound(`No model files at ${ref.location}`)
    })
  }

  async readFile(ref: ModelRef, path: string): Promise<string | null> {
    const target = await artifactsForRun(ref.location, this.deps.artifacts)
    try {
      return await text((await target.store.download(joinRelative(target.base, path))).stream)
    } catch (err) {
      if (err instanceof CairnError && err.code === 'RESOURCE_DOES_NOT_EXIST') return null
      throw err
    }
  }

  subscribe(listener: (change: RegistryChange) => void): () => void {
    return this.deps.notifications.subscribe((n) => {
      listener({ name: n.name })
      if (n.type === 'model_renamed') listener({ name: n.newName })
    })
  }
}

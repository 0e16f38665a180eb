/**
 * The model source of `cairn serve`: model URIs are resolved by the tracking server
 * (`/api/2.0/cairn/registry/resolve`) and the files downloaded through its artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts`) into the local cache. A local path (or `file:` URI)
 * is served in place without asking any server.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CairnError, notFound } from '../../../protocol/errors.js'
import { parseModelUri } from '../../../protocol/model-uri.js'
import { artifactBaseUrl } from '../../../client/artifacts.js'
import { HttpClient } from '../../../client/http.js'
import { RegistryClient } from '../../../client/registry.js'
import { localPathOf } from '../../artifacts/location.js'
import { readModelFile } from '../../../monitoring/artifacts/model-artifacts.js'
import type { ModelCache } from './cache.js'
import { nameOfUri, type ModelRef, type ModelSource } from './model-source.js'

const PROXY_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts'

interface WireFile {
  path: string
  is_dir?: boolean
}

export class TrackingServerModelSource implements ModelSource {
  private readonly registry: RegistryClient

  constructor(
    private readonly http: HttpClient,
    private readonly cache: ModelCache,
  ) {
    this.registry = new RegistryClient(http)
  }

  static create(
    trackingUri: string,
    cache: ModelCache,
    headers: Record<string, string> = {},
  ): TrackingServerModelSource {
    return new TrackingServerModelSource(
      new HttpClient({ trackingUri, headers, retry: { maxRetries: 2 } }),
      cache,
    )
  }

  async resolve(uri: string): Promise<ModelRef> {
    const parsed = parseModelUri(uri)
    if (parsed.kind === 'location' && localPathOf(uri) !== null) {
      return { uri, name: nameOfUri(uri, uri), version: null, location: uri }
    }
    const r = await this.registry.resolve(uri)
    return {
      uri,
      name: r.modelVersion?.name ?? nameOfUri(uri, r.location),
      version: r.modelVersion?.version ?? null,
      location: r.location,
    }
  }

  readFile(ref: ModelRef, path: string): Promise<string | null> {
    return readModelFile(
      { http: this.http, registry: this.registry, trackingUri: this.http.trackingUri },
      ref.location,
      path,
    )
  }

  async fetch(ref: ModelRef): Promise<string> {
    const local = localPathOf(ref.location)
    if (local !== null) {
      if ((await stat(local).catch(() => null))?.isDirectory()) return local
      throw notFound(
        `The model's files are at ${ref.location}, a local path that does not exist on this machine; serve it where that path exists, or store artifacts behind the tracking server's proxy (mlflow-artifacts:).`,
      )
    }
    let base: string
    try {
      base = artifactBaseUrl(ref.location, this.http.trackingUri)
    } catch {
      throw new CairnError(
        'NOT_IMPLEMENTED',
        `Cannot download ${ref.location}: cairn serve reads models through the tracking server's artifact proxy (mlflow-artifacts:, http(s)) or from local paths.`,
      )
    }
    const at = base.indexOf(PROXY_ANCHOR)
    if (at === -1)
      throw new CairnError(
        'NOT_IMPLEMENTED',
        `Cannot list ${ref.location}: it is not behind an artifact proxy.`,
      )
    const proxy = base.slice(0, at + PROXY_ANCHOR.length)
    const root = decodeURIComponent(base.slice(at + PROXY_ANCHOR.length).replace(/^\/+/, ''))
    return this.cache.materialize(ref, async (dir) => {
      const files = await this.download(proxy, root, dir)
      if (files === 0) throw notFound(`No model files at ${ref.location}`)
    })
  }

  private async download(proxy: string, path: string, dest: string): Promise<number> {
    const res = await this.http.send({ method: 'GET', path: proxy, query: new URLSearchParams({ path }) })
    const listing = (await res.json()) as { files?: WireFile[] }
    let count = 0
    for (const f of listing.files ?? []) {
      const name = f.path.split('/').pop()!
      if (name === '' || name === '.' || name === '..') continue
      const rel = path === '' ? name : `${path}/${name}`
      if (f.is_dir) {
        await mkdir(join(dest, name), { recursive: true })
        count += await this.download(proxy, rel, join(dest, name))
        continue
      }
      const file = await this.http.send({
        method: 'GET',
        path: `${proxy}/${rel.split('/').map(encodeURIComponent).join('/')}`,
        timeoutMs: null,
      })
      if (!file.body) throw new CairnError('INTERNAL_ERROR', `Empty answer downloading ${rel}`)
      await pipeline(Readable.fromWeb(file.body), createWriteStream(join(dest, name)))
      count++
    }
    return count
  }
}

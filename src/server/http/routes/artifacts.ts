/**
 * Artifact routes: MLflow's `mlflow/artifacts/list`, the `mlflow-artifacts` proxy (upload,
 * download, list, delete, multipart stubs) and the UI's `/get-artifact`. Bodies stream in and
 * out; no file is ever held in memory. Where MLflow answers a client's mistake with a 500 or an
 * HTML page (missing file, folder download, single-file delete), Cairn answers a JSON 4xx or does
 * what was asked; docs/mlflow-differences.md lists each case.
 */
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { endpoint } from '../../../protocol/endpoint.js'
import { CairnError, invalidParameter } from '../../../protocol/errors.js'
import { optionalString, schema } from '../../../protocol/fields.js'
import { TRACKING_API as API } from '../../../protocol/tracking-api.js'
import { fileInfoToWire, type WireFileInfo } from '../../../protocol/wire.js'
import type { ArtifactDownload } from '../../artifacts/artifact-store.js'
import { artifactContentType, attachmentDisposition } from '../../artifacts/content-type.js'
import { artifactsForRun } from '../../artifacts/open-artifacts.js'
import { decodeUrlPath, joinRelative, safeRelativePath } from '../../artifacts/safe-path.js'
import { defineRoute, RawAnswer, type RequestContext, type RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'

/** `GET /mlflow-artifacts/artifacts?path=`: the proxied store's own listing (names only). */
const listProxied = endpoint<{ files?: WireFileInfo[] }>()(
  'listArtifactsMlflowArtifacts',
  { methods: ['GET'], path: '/mlflow-artifacts/artifacts' },
  schema({ path: optionalString() }),
)

const PROXY_PREFIX = '/mlflow-artifacts/artifacts/'
const MULTIPART_ACTIONS = ['create', 'complete', 'abort'] as const

/** Paths of a prefix route under /api/2.0 and /ajax-api/2.0, as MLflow mounts every API route. */
function apiPrefixes(tail: string): string[] {
  return [`/api/2.0${tail}`, `/ajax-api/2.0${tail}`]
}

/**
 * Prefix MLflow gives listed entries of a proxied run root: the requested path joined to each
 * name as Python's posixpath.join does, so "sub/" gives "sub/x" and "." gives "./x".
 */
function proxiedEntryPrefix(path: string | undefined): string {
  if (!path) return ''
  return path.endsWith('/') ? path : `${path}/`
}

function declaredLength(ctx: RequestContext): number | undefined {
  const header = ctx.req.headers['content-length']
  const n = header === undefined ? NaN : Number(header)
  return Number.isFinite(n) ? n : undefined
}

interface SendOptions {
  /** MLflow's proxy streams downloads chunked; `/get-artifact` (Flask send_file) sends a length. */
  withLength: boolean
  head: boolean
}

export function download(path: string, file: ArtifactDownload, opts: SendOptions): RawAnswer {
  return new RawAnswer(async (res: ServerResponse) => {
    const headers: Record<string, string | number> = {
      'Content-Type': artifactContentType(path),
      'Content-Disposition': attachmentDisposition(path),
      'X-Content-Type-Options': 'nosniff',
    }
    if (opts.withLength) headers['Content-Length'] = file.size
    res.writeHead(200, headers)
    if (opts.head) {
      file.stream.destroy()
      res.end()
      return
    }
    try {
      await pipeline(file.stream, res)
    } catch (err) {
      // The client went away mid-download: nothing to answer. A read error mid-stream cannot
      // become an error answer either (the status is sent); the app logs it and cuts the reply.
      if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return
      throw err
    }
  })
}

export function artifactRoutes({ store, artifacts }: RouteDeps): RouteDef[] {
  const proxyRoutes: RouteDef[] = [
    {
      methods: ['GET'],
      paths: apiPrefixes(PROXY_PREFIX),
      prefix: true,
      handler: async (ctx) => {
        const { decoded } = decodeUrlPath(ctx.rest)
        const file = await artifacts.download(decoded)
        return download(decoded, file, { withLength: false, head: ctx.method === 'HEAD' })
      },
    },
    {
      methods: ['PUT'],
      paths: apiPrefixes(PROXY_PREFIX),
      prefix: true,
      handler: async (ctx) => {
        try {
          const { decoded } = decodeUrlPath(ctx.rest)
          const opts = declaredLength(ctx)
          await artifacts.upload(decoded, ctx.req, opts === undefined ? {} : { declaredBytes: opts })
          return {}
        } catch (err) {
          // Whatever is left of the body is read and dropped, so the connection stays usable.
          ctx.req.resume()
          throw err
        }
      },
    },
    {
      methods: ['DELETE'],
      paths: apiPrefixes(PROXY_PREFIX),
      prefix: true,
      handler: async (ctx) => {
        const { decoded } = decodeUrlPath(ctx.rest)
        // MLflow's local store fails (500) on a single file and leaves it; Cairn deletes it.
        await artifacts.delete(decoded)
        return {}
      },
    },
    defineRoute(listProxied, async (msg) => {
      const files = await artifacts.list(msg.path === undefined ? '' : msg.path)
      return files.length > 0 ? { files: files.map(fileInfoToWire) } : {}
    }),
  ]

  const multipartRoutes: RouteDef[] = MULTIPART_ACTIONS.map((action) => ({
    methods: ['POST'],
    paths: apiPrefixes(`/mlflow-artifacts/mpu/${action}/`),
    prefix: true,
    handler: async (ctx) => {
      decodeUrlPath(ctx.rest)
      // As MLflow answers for stores without multipart support; an s3: backend will implement it.
      throw new CairnError(
        'NOT_IMPLEMENTED',
        'Multipart upload is not supported for the current artifact repository',
      )
    },
  }))

  return [
    ...proxyRoutes,
    ...multipartRoutes,

    defineRoute(API.listArtifacts, async (msg) => {
      // The path is checked before the run is looked up, as in MLflow.
      const relative = msg.path === undefined ? '' : safeRelativePath(msg.path)
      const run = await store.getRunInfo(msg.run_id || msg.run_uuid)
      const target = await artifactsForRun(run.artifactUri, artifacts)
      const files = await target.store.list(joinRelative(target.base, relative))
      // Stores other than the proxied one list paths relative to the run root, normalized.
      const prefix = target.proxied ? proxiedEntryPrefix(msg.path) : relative === '' ? '' : `${relative}/`
      const out: { root_uri: string; files?: WireFileInfo[] } = { root_uri: run.artifactUri }
      if (files.length > 0) out.files = files.map((f) => fileInfoToWire({ ...f, path: prefix + f.path }))
      return out
    }),

    {
      // The web UI's download route (MLflow serves it outside /api/2.0).
      methods: ['GET'],
      paths: ['/get-artifact'],
      handler: async (ctx) => {
        const path = ctx.query.get('path')
        if (path === null) throw invalidParameter("Missing value for required parameter 'path'.")
        const relative = safeRelativePath(path)
        const run = await store.getRunInfo(ctx.query.get('run_id') || ctx.query.get('run_uuid') || '')
        const target = await artifactsForRun(run.artifactUri, artifacts)
        const file = await target.store.download(joinRelative(target.base, relative))
        return download(path, file, { withLength: true, head: ctx.method === 'HEAD' })
      },
    },
  ]
}

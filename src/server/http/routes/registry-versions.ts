/** MLflow's model-version routes (model_registry.proto), and the UI's `/model-versions/get-artifact`. */
import { invalidParameter } from '../../../protocol/errors.js'
import { REGISTRY_API as API } from '../../../protocol/registry-api.js'
import { modelVersionToWire } from '../../../protocol/registry-wire.js'
import { artifactsForRun } from '../../artifacts/open-artifacts.js'
import { joinRelative, safeRelativePath } from '../../artifacts/safe-path.js'
import { defineRoute, type RouteDef } from '../route.js'
import { download } from './artifacts.js'
import { actorOf, nextPageToken, plainTags, searchPage, type RegistryRouteDeps } from './registry-common.js'

/**
 * MLflow caps max_results at 200,000 and defaults to it. Cairn defaults to 10,000 (MLflow's
 * Python client's own default) so a search without max_results cannot build a 200,000-version
 * answer; past it the answer carries a next_page_token.
 */
export const MODEL_VERSION_SEARCH = { default: 10_000, max: 200_000 } as const

export function modelVersionRoutes({ registry, artifacts }: RegistryRouteDeps): RouteDef[] {
  return [
    defineRoute(API.createModelVersion, async (msg, ctx) => ({
      model_version: modelVersionToWire(
        await registry.createModelVersion(
          {
            name: msg.name,
            source: msg.source,
            runId: msg.run_id,
            runLink: msg.run_link,
            description: msg.description,
            tags: plainTags(msg.tags),
          },
          actorOf(ctx.req),
        ),
      ),
    })),
    defineRoute(API.getModelVersion, async (msg) => ({
      model_version: modelVersionToWire(await registry.getModelVersion(msg.name, msg.version)),
    })),
    defineRoute(API.updateModelVersion, async (msg) => ({
      model_version: modelVersionToWire(
        await registry.updateModelVersion(msg.name, msg.version, msg.description ?? ''),
      ),
    })),
    defineRoute(API.deleteModelVersion, async (msg, ctx) => {
      await registry.deleteModelVersion(msg.name, msg.version, actorOf(ctx.req))
      return {}
    }),
    defineRoute(API.searchModelVersions, async (msg) => {
      const page = await registry.searchModelVersions(searchPage('model_versions', msg, MODEL_VERSION_SEARCH))
      return {
        ...(page.items.length > 0 ? { model_versions: page.items.map(modelVersionToWire) } : {}),
        ...nextPageToken(page),
      }
    }),
    defineRoute(API.getModelVersionDownloadUri, async (msg) => ({
      artifact_uri: await registry.getDownloadUri(msg.name, msg.version),
    })),
    defineRoute(API.transitionModelVersionStage, async (msg, ctx) => ({
      model_version: modelVersionToWire(
        await registry.transitionStage(
          {
            name: msg.name,
            version: msg.version,
            stage: msg.stage,
            archiveExistingVersions: msg.archive_existing_versions,
          },
          actorOf(ctx.req),
        ),
      ),
    })),
    defineRoute(API.setModelVersionTag, async (msg) => {
      await registry.setModelVersionTag(msg.name, msg.version, { key: msg.key, value: msg.value })
      return {}
    }),
    defineRoute(API.deleteModelVersionTag, async (msg) => {
      await registry.deleteModelVersionTag(msg.name, msg.version, msg.key)
      return {}
    }),
    {
      // The web UI's download of a file of a version (MLflow serves it outside /api/2.0).
      methods: ['GET'],
      paths: ['/model-versions/get-artifact'],
      handler: async (ctx) => {
        const q = ctx.query
        const path = q.get('path')
        if (path === null) throw invalidParameter("Missing value for required parameter 'path'.")
        const relative = safeRelativePath(path)
        const location = await registry.getDownloadUri(q.get('name') ?? '', q.get('version') ?? '')
        const target = await artifactsForRun(location, artifacts)
        const file = await target.store.download(joinRelative(target.base, relative))
        return download(path, file, { withLength: true, head: ctx.method === 'HEAD' })
      },
    },
  ]
}

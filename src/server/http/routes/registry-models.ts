/** MLflow's registered-model routes (model_registry.proto), including aliases. */
import { REGISTRY_API as API } from '../../../protocol/registry-api.js'
import { modelVersionToWire, registeredModelToWire } from '../../../protocol/registry-wire.js'
import { defineRoute, type RouteDef } from '../route.js'
import { actorOf, nextPageToken, plainTags, searchPage, type RegistryRouteDeps } from './registry-common.js'

/** MLflow's search limits for registered models. */
export const REGISTERED_MODEL_SEARCH = { default: 100, max: 1000 } as const

export function registeredModelRoutes({ registry }: RegistryRouteDeps): RouteDef[] {
  return [
    defineRoute(API.createRegisteredModel, async (msg) => ({
      registered_model: registeredModelToWire(
        await registry.createRegisteredModel({
          name: msg.name,
          description: msg.description,
          tags: plainTags(msg.tags),
        }),
      ),
    })),
    defineRoute(API.getRegisteredModel, async (msg) => ({
      registered_model: registeredModelToWire(await registry.getRegisteredModel(msg.name)),
    })),
    defineRoute(API.renameRegisteredModel, async (msg, ctx) => ({
      registered_model: registeredModelToWire(
        await registry.renameRegisteredModel(msg.name, msg.new_name, actorOf(ctx.req)),
      ),
    })),
    defineRoute(API.updateRegisteredModel, async (msg) => ({
      // As MLflow: an update without a description clears it.
      registered_model: registeredModelToWire(
        await registry.updateRegisteredModel(msg.name, msg.description ?? ''),
      ),
    })),
    defineRoute(API.deleteRegisteredModel, async (msg, ctx) => {
      await registry.deleteRegisteredModel(msg.name, actorOf(ctx.req))
      return {}
    }),
    defineRoute(API.searchRegisteredModels, async (msg) => {
      const page = await registry.searchRegisteredModels(
        searchPage('registered_models', msg, REGISTERED_MODEL_SEARCH),
      )
      return {
        ...(page.items.length > 0 ? { registered_models: page.items.map(registeredModelToWire) } : {}),
        ...nextPageToken(page),
      }
    }),
    defineRoute(API.getLatestVersions, async (msg) => {
      const versions = await registry.getLatestVersions(msg.name, msg.stages)
      return versions.length > 0 ? { model_versions: versions.map(modelVersionToWire) } : {}
    }),
    defineRoute(API.setRegisteredModelTag, async (msg) => {
      await registry.setRegisteredModelTag(msg.name, { key: msg.key, value: msg.value })
      return {}
    }),
    defineRoute(API.deleteRegisteredModelTag, async (msg) => {
      await registry.deleteRegisteredModelTag(msg.name, msg.key)
      return {}
    }),
    defineRoute(API.setRegisteredModelAlias, async (msg, ctx) => {
      await registry.setAlias(msg.name, msg.alias, msg.version, { ...actorOf(ctx.req), reason: msg.reason })
      return {}
    }),
    defineRoute(API.deleteRegisteredModelAlias, async (msg, ctx) => {
      await registry.deleteAlias(msg.name, msg.alias, { ...actorOf(ctx.req), reason: msg.reason })
      return {}
    }),
    defineRoute(API.getModelVersionByAlias, async (msg) => ({
      model_version: modelVersionToWire(await registry.getVersionByAlias(msg.name, msg.alias)),
    })),
  ]
}

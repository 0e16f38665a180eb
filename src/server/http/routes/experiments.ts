/** MLflow experiment routes. */
import { CairnError, invalidParameter, notFound } from '../../../protocol/errors.js'
import { LIMITS } from '../../../protocol/limits.js'
import { decodePageToken, encodePageToken } from '../../../protocol/page-token.js'
import { TRACKING_API as API } from '../../../protocol/tracking-api.js'
import { validateExperimentName, validateTag } from '../../../protocol/validation.js'
import { experimentToWire } from '../../../protocol/wire.js'
import { parseSearchFilter, parseSearchOrderBy } from '../../../protocol/filter/index.js'
import { defineRoute, type RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'

export function experimentRoutes({ store, artifacts }: RouteDeps): RouteDef[] {
  return [
    defineRoute(API.createExperiment, async (msg) => {
      validateExperimentName(msg.name)
      for (const t of msg.tags) validateTag(t!.key, t!.value)
      if (msg.artifact_location) artifacts.validateLocation(msg.artifact_location)
      const id = await store.createExperiment({
        name: msg.name,
        tags: msg.tags.map((t) => ({ key: t!.key, value: t!.value })),
        ...(msg.artifact_location ? { artifactLocation: msg.artifact_location } : {}),
      })
      return { experiment_id: id }
    }),

    defineRoute(API.getExperiment, async (msg) => ({
      experiment: experimentToWire(await store.getExperiment(msg.experiment_id)),
    })),

    defineRoute(API.getExperimentByName, async (msg) => {
      const exp = await store.getExperimentByName(msg.experiment_name)
      if (!exp) throw notFound(`Could not find experiment with name '${msg.experiment_name}'`)
      return { experiment: experimentToWire(exp) }
    }),

    defineRoute(API.searchExperiments, async (msg) => {
      const max = msg.max_results ?? 0
      if (max <= 0) {
        throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${max}`)
      }
      if (max > LIMITS.searchExperimentsMax) {
        throw invalidParameter(
          `Invalid value for max_results. It must be at most ${LIMITS.searchExperimentsMax}, but got ${max}`,
        )
      }
      const page = await store.searchExperiments({
        viewType: msg.view_type,
        filter: parseSearchFilter('experiments', msg.filter),
        orderBy: parseSearchOrderBy('experiments', msg.order_by),
        maxResults: max,
        offset: decodePageToken(msg.page_token),
      })
      const out: { experiments?: ReturnType<typeof experimentToWire>[]; next_page_token?: string } = {}
      if (page.items.length > 0) out.experiments = page.items.map(experimentToWire)
      if (page.nextOffset !== null) out.next_page_token = encodePageToken(page.nextOffset)
      return out
    }),

    defineRoute(API.updateExperiment, async (msg) => {
      validateExperimentName(msg.new_name)
      try {
        await store.renameExperiment(msg.experiment_id, msg.new_name)
      } catch (err) {
        // MLflow answers a taken name here with 400 BAD_REQUEST (its database's unique
        // constraint), not RESOURCE_ALREADY_EXISTS as on create; clients see the same code.
        if (err instanceof CairnError && err.code === 'RESOURCE_ALREADY_EXISTS') {
          throw new CairnError('BAD_REQUEST', err.message, { cause: err })
        }
        throw err
      }
      return {}
    }),

    defineRoute(API.deleteExperiment, async (msg) => {
      await store.deleteExperiment(msg.experiment_id)
      return {}
    }),

    defineRoute(API.restoreExperiment, async (msg) => {
      await store.restoreExperiment(msg.experiment_id)
      return {}
    }),

    defineRoute(API.setExperimentTag, async (msg) => {
      validateTag(msg.key, msg.value)
      await store.setExperimentTag(msg.experiment_id, { key: msg.key, value: msg.value })
      return {}
    }),

    defineRoute(API.deleteExperimentTag, async (msg) => {
      await store.deleteExperimentTag(msg.experiment_id, msg.key)
      return {}
    }),
  ]
}

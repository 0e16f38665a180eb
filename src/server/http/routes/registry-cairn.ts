/**
 * Cairn's own registry routes, under /api/2.0/cairn/registry/ beside MLflow's: the audit trail,
 * promotion policies, promote, rollback and model-URI resolution.
 */
import { invalidParameter } from '../../../protocol/errors.js'
import { decodePageToken } from '../../../protocol/page-token.js'
import { REGISTRY_API as API } from '../../../protocol/registry-api.js'
import type { StoredPolicy } from '../../../protocol/registry-entities.js'
import {
  modelVersionDetailsToWire,
  promotionOutcomeToWire,
  registryEventToWire,
} from '../../../protocol/registry-wire.js'
import { defineRoute, type RouteDef } from '../route.js'
import { actorOf, nextPageToken, type RegistryRouteDeps } from './registry-common.js'

export const HISTORY_PAGE = { default: 100, max: 1000 } as const

const policyToWire = (p: StoredPolicy) => ({
  name: p.name,
  alias: p.alias,
  policy: p.document,
  updated_timestamp: p.updatedTimestamp,
  user_id: p.userId,
})

export function cairnRegistryRoutes({ registry }: RegistryRouteDeps): RouteDef[] {
  const promotion = registry.promotion
  return [
    defineRoute(API.getRegistryHistory, async (msg) => {
      const max = msg.max_results ?? HISTORY_PAGE.default
      if (max < 1 || max > HISTORY_PAGE.max) {
        throw invalidParameter(
          `Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and ${HISTORY_PAGE.max}.`,
        )
      }
      const page = await registry.history({
        name: msg.name,
        ...(msg.alias !== '' ? { alias: msg.alias } : {}),
        maxResults: max,
        offset: decodePageToken(msg.page_token),
      })
      return {
        ...(page.items.length > 0 ? { events: page.items.map(registryEventToWire) } : {}),
        ...nextPageToken(page),
      }
    }),
    defineRoute(API.getPromotionPolicy, async (msg) =>
      policyToWire(await promotion.getPolicy(msg.name, msg.alias)),
    ),
    defineRoute(API.setPromotionPolicy, async (msg, ctx) =>
      policyToWire(
        await promotion.setPolicy(
          msg.name,
          { ...(msg.policy !== undefined ? { policy: msg.policy } : {}), policyText: msg.policy_text },
          actorOf(ctx.req),
        ),
      ),
    ),
    defineRoute(API.deletePromotionPolicy, async (msg, ctx) => {
      await promotion.deletePolicy(msg.name, msg.alias, actorOf(ctx.req))
      return {}
    }),
    defineRoute(API.promoteModelVersion, async (msg, ctx) =>
      promotionOutcomeToWire(
        await promotion.promote(
          {
            name: msg.name,
            candidateVersion: msg.candidate_version,
            alias: msg.alias,
            dryRun: msg.dry_run,
            force: msg.force,
            reason: msg.reason,
            ...(msg.expected_current_version !== undefined
              ? { expectedCurrentVersion: msg.expected_current_version }
              : {}),
          },
          actorOf(ctx.req),
        ),
      ),
    ),
    defineRoute(API.rollbackAlias, async (msg, ctx) => {
      const r = await promotion.rollback(
        { name: msg.name, alias: msg.alias, reason: msg.reason },
        actorOf(ctx.req),
      )
      return {
        name: r.name,
        alias: r.alias,
        ...(r.fromVersion !== null ? { from_version: r.fromVersion } : {}),
        to_version: r.toVersion,
        event_id: r.eventId,
      }
    }),
    defineRoute(API.resolveModelUri, async (msg) => {
      const r = await registry.resolve(msg.uri)
      return {
        uri: r.uri,
        location: r.location,
        ...(r.runId !== undefined ? { run_id: r.runId } : {}),
        ...(r.version ? { model_version: modelVersionDetailsToWire(r.version) } : {}),
      }
    }),
  ]
}

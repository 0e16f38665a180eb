/** What the registry routes share: the request's user, search paging, tag lists. */
import type { IncomingMessage } from 'node:http'
import type { Tag } from '../../../protocol/entities.js'
import { invalidParameter } from '../../../protocol/errors.js'
import type { FilterExpr, OrderKey, SearchTarget } from '../../../protocol/filter/index.js'
import { parseSearchFilter, parseSearchOrderBy } from '../../../protocol/filter/index.js'
import { decodePageToken, encodePageToken } from '../../../protocol/page-token.js'
import type { RegistryService } from '../../registry/registry-service.js'
import type { Actor } from '../../registry/registry-service.js'
import type { Page } from '../../store/tracking-store.js'
import type { RouteDeps } from './deps.js'

export interface RegistryRouteDeps extends RouteDeps {
  registry: RegistryService
}

/**
 * Who is asking, for the audit trail: the `X-Cairn-User` header (Cairn's CLI and SDK send it),
 * else the user of HTTP basic auth, else '' (unknown).
 */
export function actorOf(req: IncomingMessage): Actor {
  const header = req.headers['x-cairn-user']
  if (typeof header === 'string' && header.trim() !== '') return { user: header.trim().slice(0, 256) }
  const auth = req.headers.authorization
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) return { user: decoded.slice(0, colon) }
  }
  return { user: '' }
}

export const plainTags = (tags: readonly ({ key: string; value: string } | undefined)[]): Tag[] =>
  tags.map((t) => ({ key: t!.key, value: t!.value }))

export interface SearchPage {
  filter: FilterExpr | null
  orderBy: OrderKey[]
  maxResults: number
  offset: number
}

/** MLflow's search request: a default and a cap on max_results (0 answers only a page token). */
export function searchPage(
  target: SearchTarget,
  msg: { filter: string; max_results: number | undefined; order_by: string[]; page_token: string },
  limits: { default: number; max: number },
): SearchPage {
  const max = msg.max_results ?? limits.default
  if (max < 0)
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at least 0, but got value ${max}`,
    )
  if (max > limits.max) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${limits.max}, but got value ${max}`,
    )
  }
  return {
    filter: parseSearchFilter(target, msg.filter),
    orderBy: parseSearchOrderBy(target, msg.order_by),
    maxResults: max,
    offset: decodePageToken(msg.page_token),
  }
}

export function nextPageToken(page: Page<unknown>): { next_page_token?: string } {
  return page.nextOffset === null ? {} : { next_page_token: encodePageToken(page.nextOffset) }
}

/** Search requests and page-token following for runs and experiments. */
import type { ViewType } from '../protocol/entities.js'
import { LIMITS } from '../protocol/limits.js'
import { TRACKING_API } from '../protocol/tracking-api.js'
import type { WireExperiment, WireRun } from '../protocol/wire.js'
import type { HttpClient } from './http.js'

interface SearchCommon {
  /** MLflow's search language (Cairn adds OR and parentheses). */
  filter?: string
  /** e.g. ['metrics.acc DESC', 'attributes.start_time']. */
  orderBy?: string[]
  /** Page size; with autoPaginate, the most results returned in all. */
  maxResults?: number
  pageToken?: string
  /** Follow next_page_token until there are no more results (or maxResults are in hand). */
  autoPaginate?: boolean
}

export interface SearchRunsOptions extends SearchCommon {
  experimentIds: string[]
  runViewType?: ViewType
}

export interface SearchExperimentsOptions extends SearchCommon {
  viewType?: ViewType
}

export interface Page<T> {
  items: T[]
  nextPageToken: string | null
}

/** Pages of this size are fetched while auto-paginating (MLflow's own default page). */
export const AUTO_PAGE_SIZE = LIMITS.searchRunsDefault

export async function searchRunsPage(
  http: HttpClient,
  opts: SearchRunsOptions,
  size: number | undefined,
): Promise<Page<WireRun>> {
  const answer = await http.call(TRACKING_API.searchRuns, {
    experiment_ids: opts.experimentIds,
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.orderBy?.length ? { order_by: opts.orderBy } : {}),
    ...(size !== undefined ? { max_results: size } : {}),
    ...(opts.pageToken ? { page_token: opts.pageToken } : {}),
    ...(opts.runViewType ? { run_view_type: opts.runViewType } : {}),
  })
  return { items: answer.runs ?? [], nextPageToken: answer.next_page_token || null }
}

export async function searchExperimentsPage(
  http: HttpClient,
  opts: SearchExperimentsOptions,
  size: number | undefined,
): Promise<Page<WireExperiment>> {
  const answer = await http.call(TRACKING_API.searchExperiments, {
    // MLflow's REST handler has no default page size for experiments; its client sends 1000.
    max_results: size ?? AUTO_PAGE_SIZE,
    ...(opts.filter ? { filter: opts.filter } : {}),
    ...(opts.orderBy?.length ? { order_by: opts.orderBy } : {}),
    ...(opts.pageToken ? { page_token: opts.pageToken } : {}),
    ...(opts.viewType ? { view_type: opts.viewType } : {}),
  })
  return { items: answer.experiments ?? [], nextPageToken: answer.next_page_token || null }
}

/**
 * Fetches pages until the server has no more or `limit` items are in hand. The returned token
 * continues after the last item returned (null when everything was read).
 */
export async function paginate<T>(
  limit: number | undefined,
  firstToken: string | undefined,
  fetchPage: (size: number, token: string | undefined) => Promise<Page<T>>,
): Promise<Page<T>> {
  const items: T[] = []
  let token = firstToken || undefined
  for (;;) {
    const want = limit === undefined ? AUTO_PAGE_SIZE : Math.min(AUTO_PAGE_SIZE, limit - items.length)
    if (want <= 0) return { items, nextPageToken: token ?? null }
    const page = await fetchPage(want, token)
    items.push(...page.items)
    token = page.nextPageToken ?? undefined
    if (token === undefined) return { items, nextPageToken: null }
  }
}

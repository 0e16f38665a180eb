/** Up to `limit` runs of a query, in pages of 1,000 (for grouping, scatter and parallel coordinates). */
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import { orderByClause, toRow, type RunRow } from '../state/columns.js'
import type { RunQuery } from '../state/run-pages.js'
import { call } from './client.js'

export async function fetchRuns(
  query: RunQuery,
  limit: number,
  signal?: { cancelled: boolean },
): Promise<{ rows: RunRow[]; more: boolean }> {
  const rows: RunRow[] = []
  let token = ''
  for (;;) {
    const a = await call(TRACKING_API.searchRuns, {
      experiment_ids: query.experimentIds,
      filter: query.filter,
      order_by: orderByClause(query.sort),
      max_results: Math.min(1000, limit - rows.length),
      page_token: token,
      run_view_type: query.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
    })
    if (signal?.cancelled) return { rows, more: false }
    for (const r of a.runs ?? []) rows.push(toRow(r))
    token = a.next_page_token ?? ''
    if (token === '' || rows.length >= limit) return { rows, more: token !== '' }
  }
}

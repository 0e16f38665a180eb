/** MLflow metric-history routes. */
import { invalidParameter } from '../../../protocol/errors.js'
import { LIMITS } from '../../../protocol/limits.js'
import { decodePageToken, encodePageToken } from '../../../protocol/page-token.js'
import { TRACKING_API as API } from '../../../protocol/tracking-api.js'
import { metricToWire, runMetricToWire } from '../../../protocol/wire.js'
import { defineRoute, RawAnswer, type RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'
import { streamJsonTextArray } from '../stream-json.js'

export function metricRoutes({ store }: RouteDeps): RouteDef[] {
  return [
    defineRoute(API.getMetricHistory, async (msg) => {
      const runId = msg.run_id || msg.run_uuid
      const key = msg.metric_key
      if (msg.max_results === undefined && msg.page_token === '') {
        // Whole history: streamed in chunks so a million points never sit in memory as one string.
        return new RawAnswer((res) => streamJsonTextArray(res, 'metrics', store.streamMetricHistoryJson(runId, key)))
      }
      const max = msg.max_results ?? LIMITS.metricHistoryPageMax
      if (max <= 0 || max > LIMITS.metricHistoryPageMax) {
        throw invalidParameter(
          `Invalid value ${max} for parameter 'max_results' supplied. It must be between 1 and ${LIMITS.metricHistoryPageMax}.`,
        )
      }
      const page = await store.getMetricHistory(runId, key, { maxResults: max, offset: decodePageToken(msg.page_token) })
      const out: { metrics?: ReturnType<typeof metricToWire>[]; next_page_token?: string } = {}
      if (page.items.length > 0) out.metrics = page.items.map(metricToWire)
      if (page.nextOffset !== null) out.next_page_token = encodePageToken(page.nextOffset)
      return out
    }),

    defineRoute(API.getMetricHistoryBulk, async (msg) => {
      if (msg.run_id.length === 0) throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.')
      if (msg.run_id.length > LIMITS.historyBulkMaxRuns) {
        throw invalidParameter(
          `GetMetricHistoryBulk request cannot specify more than ${LIMITS.historyBulkMaxRuns} run_ids. Received ${msg.run_id.length} run_ids.`,
        )
      }
      if (msg.metric_key === '') throw invalidParameter('GetMetricHistoryBulk request must specify a metric_key.')
      const max = Math.min(msg.max_results ?? LIMITS.metricHistoryPageMax, LIMITS.metricHistoryPageMax)
      const metrics = await store.getMetricHistoryBulk(msg.run_id, msg.metric_key, max)
      return metrics.length > 0 ? { metrics: metrics.map(runMetricToWire) } : {}
    }),

    defineRoute(API.getMetricHistoryBulkInterval, async (msg) => {
      if (msg.run_ids.length === 0) {
        throw invalidParameter('GetMetricHistoryBulkInterval request must specify at least one run_id.')
      }
      if (msg.run_ids.length > LIMITS.historyBulkIntervalMaxRuns) {
        throw invalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most ${LIMITS.historyBulkIntervalMaxRuns} run_ids. Received ${msg.run_ids.length} run_ids.`,
        )
      }
      if ((msg.start_step === undefined) !== (msg.end_step === undefined)) {
        throw invalidParameter('If either start step or end step are specified, both must be specified.')
      }
      if (msg.start_step !== undefined && msg.end_step !== undefined && msg.start_step > msg.end_step) {
        throw invalidParameter('end_step must be greater than start_step. ')
      }
      const max = msg.max_results ?? LIMITS.historyBulkIntervalDefault
      if (max <= 0 || max > LIMITS.historyBulkIntervalMax) {
        throw invalidParameter(`max_results must be between 1 and ${LIMITS.historyBulkIntervalMax}.`)
      }
      const metrics = await store.getMetricHistoryBulkInterval({
        runIds: msg.run_ids,
        metricKey: msg.metric_key,
        maxResults: max,
        ...(msg.start_step !== undefined ? { startStep: msg.start_step } : {}),
        ...(msg.end_step !== undefined ? { endStep: msg.end_step } : {}),
      })
      return metrics.length > 0 ? { metrics: metrics.map(runMetricToWire) } : {}
    }),
  ]
}

/** MLflow run routes: lifecycle, logging, search. */
import { CairnError, invalidParameter } from '../../../protocol/errors.js'
import { MLFLOW_TAGS, RUN_STATUSES, type RunStatus, type Tag } from '../../../protocol/entities.js'
import { missingValue } from '../../../protocol/fields.js'
import { parseSearchFilter, parseSearchOrderBy } from '../../../protocol/filter/index.js'
import { LIMITS } from '../../../protocol/limits.js'
import { decodePageToken, encodePageToken } from '../../../protocol/page-token.js'
import { TRACKING_API as API } from '../../../protocol/tracking-api.js'
import {
  validateBatchLimits,
  validateMetric,
  validateParam,
  validateTag,
} from '../../../protocol/validation.js'
import { runInfoToWire, runToWire, type WireRun } from '../../../protocol/wire.js'
import { defineRoute, type RouteDef } from '../route.js'
import type { RouteDeps } from './deps.js'
import { validateDatasetInputs } from './datasets.js'
import { recordLoggedModel } from './log-model.js'

/** `run_id`, falling back to the deprecated `run_uuid`, as MLflow reads it. */
export function requireRunId(msg: { run_id: string; run_uuid?: string }): string {
  const id = msg.run_id || msg.run_uuid || ''
  if (id === '') throw missingValue('run_id')
  return id
}

const plainTags = (tags: ({ key: string; value: string } | undefined)[]): Tag[] =>
  tags.map((t) => ({ key: t!.key, value: t!.value }))

export function runRoutes({ store, ids }: RouteDeps): RouteDef[] {
  return [
    defineRoute(API.createRun, async (msg) => {
      if (msg.experiment_id === '') {
        throw new CairnError('BAD_REQUEST', "Missing value for required parameter 'experiment_id'.")
      }
      const tags = plainTags(msg.tags)
      for (const t of tags) validateTag(t.key, t.value)
      const tagName = tags.find((t) => t.key === MLFLOW_TAGS.runName)?.value
      if (msg.run_name && tagName !== undefined && tagName !== msg.run_name) {
        throw invalidParameter(
          `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${msg.run_name}', mlflow.runName='${tagName}').`,
        )
      }
      const run = await store.createRun({
        experimentId: msg.experiment_id,
        userId: msg.user_id,
        runName: msg.run_name || tagName || ids.runName(),
        startTime: msg.start_time,
        tags,
      })
      const wire: Partial<WireRun> = runToWire(run)
      delete wire.inputs // MLflow's create answer has no `inputs`
      return { run: wire as WireRun }
    }),

    defineRoute(API.getRun, async (msg) => ({ run: runToWire(await store.getRun(msg.run_id || msg.run_uuid)) })),

    defineRoute(API.updateRun, async (msg) => {
      const runId = requireRunId(msg)
      let status: RunStatus | undefined
      if (msg.status !== undefined && msg.status !== '') {
        if (!(RUN_STATUSES as readonly string[]).includes(msg.status)) {
          throw invalidParameter(
            `Invalid value ${msg.status} for parameter 'status' supplied. It must be one of ${RUN_STATUSES.join(', ')}.`,
          )
        }
        status = msg.status as RunStatus
      }
      const info = await store.updateRun(runId, {
        ...(status ? { status } : {}),
        ...(msg.end_time !== undefined ? { endTime: msg.end_time } : {}),
        ...(msg.run_name ? { runName: msg.run_name } : {}),
      })
      return { run_info: runInfoToWire(info) }
    }),

    defineRoute(API.deleteRun, async (msg) => {
      await store.deleteRun(msg.run_id)
      return {}
    }),

    defineRoute(API.restoreRun, async (msg) => {
      await store.restoreRun(msg.run_id)
      return {}
    }),

    defineRoute(API.logMetric, async (msg) => {
      const runId = requireRunId(msg)
      validateMetric(msg.key, msg.value, msg.timestamp, msg.step)
      await store.logBatch(runId, {
        metrics: [{ key: msg.key, value: msg.value, timestamp: msg.timestamp, step: msg.step }],
        params: [],
        tags: [],
      })
      return {}
    }),

    defineRoute(API.logParam, async (msg) => {
      const runId = requireRunId(msg)
      validateParam(msg.key, msg.value)
      await store.logBatch(runId, { metrics: [], params: [{ key: msg.key, value: msg.value }], tags: [] })
      return {}
    }),

    defineRoute(API.setTag, async (msg) => {
      const runId = requireRunId(msg)
      validateTag(msg.key, msg.value)
      await store.logBatch(runId, { metrics: [], params: [], tags: [{ key: msg.key, value: msg.value }] })
      return {}
    }),

    defineRoute(API.deleteTag, async (msg) => {
      await store.deleteTag(msg.run_id, msg.key)
      return {}
    }),

    defineRoute(API.logBatch, async (msg) => {
      validateBatchLimits(msg.metrics.length, msg.params.length, msg.tags.length)
      const metrics = msg.metrics.map((m) => m!)
      for (const m of metrics) validateMetric(m.key, m.value, m.timestamp, m.step)
      const params = plainTags(msg.params)
      const seen = new Set<string>()
      const dups = new Set<string>()
      for (const p of params) {
        validateParam(p.key, p.value)
        if (seen.has(p.key)) dups.add(p.key)
        seen.add(p.key)
      }
      if (dups.size > 0) {
        throw invalidParameter(
          `Duplicate parameter keys have been submitted: ${JSON.stringify([...dups])}. Please ensure the request contains only one param value per param key.`,
        )
      }
      const tags = plainTags(msg.tags)
      for (const t of tags) validateTag(t.key, t.value)
      await store.logBatch(msg.run_id, { metrics, params, tags })
      return {}
    }),

    defineRoute(API.logInputs, async (msg) => {
      const datasets = validateDatasetInputs(msg.datasets)
      await store.logInputs(msg.run_id, datasets)
      return {}
    }),

    defineRoute(API.logModel, async (msg) => {
      await recordLoggedModel(store, msg.run_id, msg.model_json)
      return {}
    }),

    defineRoute(API.searchRuns, async (msg) => {
      const max = msg.max_results ?? LIMITS.searchRunsDefault
      if (max < 0 || max > LIMITS.searchRunsMax) {
        throw invalidParameter(
          `Invalid value ${max} for parameter 'max_results' supplied. It must be between 0 and ${LIMITS.searchRunsMax}.`,
        )
      }
      const offset = decodePageToken(msg.page_token)
      const page = await store.searchRuns({
        experimentIds: msg.experiment_ids,
        filter: parseSearchFilter('runs', msg.filter),
        orderBy: parseSearchOrderBy('runs', msg.order_by),
        viewType: msg.run_view_type,
        maxResults: max,
        offset,
      })
      const out: { runs?: WireRun[]; next_page_token?: string } = {}
      if (page.items.length > 0) out.runs = page.items.map(runToWire)
      if (page.nextOffset !== null) out.next_page_token = encodePageToken(page.nextOffset)
      return out
    }),
  ]
}

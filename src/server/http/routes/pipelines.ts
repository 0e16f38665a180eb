/** Cairn's pipeline routes (/api/2.0/cairn/pipelines/…): thin handlers over the PipelineService. */
import { invalidParameter, notFound } from '../../../protocol/errors.js'
import { encodePageToken, decodePageToken } from '../../../protocol/page-token.js'
import {
  PIPELINE_RUN_STATUSES,
  STEP_STATUSES,
  type PipelineRunStatus,
  type StepStatus,
} from '../../../protocol/pipeline-entities.js'
import {
  outputsFromWire,
  outputsToWire,
  pipelineRunToWire,
  stepToWire,
} from '../../../protocol/pipeline-wire.js'
import { PIPELINES_API as API } from '../../../protocol/pipelines-api.js'
import type { PipelineService } from '../../pipelines/pipeline-service.js'
import { defineRoute, type RouteDef } from '../route.js'

export const PIPELINE_RUNS_PAGE = { default: 100, max: 1000 } as const
const LOG_READ_MAX = 1024 * 1024

function stepStatus(v: string): StepStatus | undefined {
  if (v === '') return undefined
  if (!(STEP_STATUSES as readonly string[]).includes(v)) {
    throw invalidParameter(`Invalid step status '${v}'; one of ${STEP_STATUSES.join(', ')}.`)
  }
  return v as StepStatus
}

function runStatus(v: string): PipelineRunStatus {
  if (!(PIPELINE_RUN_STATUSES as readonly string[]).includes(v)) {
    throw invalidParameter(`Invalid pipeline run status '${v}'; one of ${PIPELINE_RUN_STATUSES.join(', ')}.`)
  }
  return v as PipelineRunStatus
}

export function pipelineRoutes(service: PipelineService): RouteDef[] {
  const store = service.store
  return [
    defineRoute(API.createPipelineRun, async (msg) => ({
      pipeline_run: pipelineRunToWire(
        await service.createRun({
          spec: msg.spec as Record<string, unknown>,
          params: msg.params ?? {},
          experimentName: msg.experiment_name,
          runName: msg.run_name,
          workdir: msg.workdir,
          backend: msg.backend,
          useCache: msg.use_cache,
          orchestrator: msg.orchestrator,
          scheduleName: msg.schedule_name,
          scheduledTime: msg.scheduled_time,
          resumedFrom: msg.resumed_from,
          source: msg.source,
          user: msg.user,
          tags: msg.tags.map((t) => ({ key: t!.key, value: t!.value })),
        }),
      ),
    })),
    defineRoute(API.getPipelineRun, async (msg) => {
      const run = await store.getRun(msg.run_id)
      const steps = await store.listSteps(msg.run_id)
      return {
        pipeline_run: pipelineRunToWire(run),
        ...(steps.length ? { steps: steps.map(stepToWire) } : {}),
      }
    }),
    defineRoute(API.searchPipelineRuns, async (msg) => {
      const max = msg.max_results ?? PIPELINE_RUNS_PAGE.default
      if (max < 1 || max > PIPELINE_RUNS_PAGE.max) {
        throw invalidParameter(`'max_results' must be between 1 and ${PIPELINE_RUNS_PAGE.max}, got ${max}.`)
      }
      const page = await store.searchRuns({
        ...(msg.pipeline ? { pipeline: msg.pipeline } : {}),
        ...(msg.status ? { status: runStatus(msg.status) } : {}),
        ...(msg.schedule_name ? { scheduleName: msg.schedule_name } : {}),
        maxResults: max,
        offset: decodePageToken(msg.page_token),
      })
      return {
        ...(page.items.length ? { pipeline_runs: page.items.map(pipelineRunToWire) } : {}),
        ...(page.nextOffset !== null ? { next_page_token: encodePageToken(page.nextOffset) } : {}),
      }
    }),
    defineRoute(API.heartbeatPipelineRun, async (msg) => {
      const run = await service.heartbeat(msg.run_id)
      return { status: run.status, cancel_requested: run.cancelRequested }
    }),
    defineRoute(API.finishPipelineRun, async (msg) => ({
      pipeline_run: pipelineRunToWire(
        await service.finishRun(msg.run_id, runStatus(msg.status), msg.message),
      ),
    })),
    defineRoute(API.cancelPipelineRun, async (msg) => ({
      pipeline_run: pipelineRunToWire(await service.cancel(msg.run_id)),
    })),
    defineRoute(API.declareSteps, async (msg) => {
      await service.declareSteps(
        msg.run_id,
        msg.steps.map((s) => ({
          stepKey: s!.step_key,
          step: s!.step,
          itemIndex: s!.item_index,
          item: s!.item,
          position: s!.position,
        })),
      )
      return {}
    }),
    defineRoute(API.startStep, async (msg) => {
      const started = await service.startStep({
        runId: msg.run_id,
        stepKey: msg.step_key,
        step: msg.step,
        itemIndex: msg.item_index,
        item: msg.item,
        position: msg.position,
        params: msg.params ?? {},
        attempt: msg.attempt,
        cacheKey: msg.cache_key,
        cacheHit: msg.cache_hit,
        cachedFrom: msg.cached_from,
        outputs: msg.outputs ? outputsFromWire(msg.outputs) : undefined,
        status: stepStatus(msg.status),
        message: msg.message,
      })
      return { step: stepToWire(started.step), artifact_uri: started.artifactUri }
    }),
    defineRoute(API.updateStep, async (msg) => ({
      step: stepToWire(
        await service.updateStep({
          runId: msg.run_id,
          stepKey: msg.step_key,
          status: stepStatus(msg.status),
          attempts: msg.attempts,
          exitCode: msg.exit_code,
          outputs: msg.outputs ? outputsFromWire(msg.outputs) : undefined,
          message: msg.message,
        }),
      ),
    })),
    defineRoute(API.lookupCache, async (msg) => {
      const hit = await service.lookupCache(msg.cache_key)
      if (!hit) return {}
      return {
        hit: {
          run_id: hit.runId,
          pipeline_run_id: hit.pipelineRunId,
          step_key: hit.stepKey,
          outputs: outputsToWire(hit.outputs),
        },
      }
    }),
    defineRoute(API.appendLogs, async (msg) => {
      for (const e of msg.entries) await store.appendLog(msg.run_id, e!.step_key, e!.text)
      return {}
    }),
    defineRoute(API.getLogs, async (msg) => {
      const offset = msg.offset ?? 0
      if (offset < 0) throw invalidParameter(`'offset' must be 0 or more, got ${offset}.`)
      const max = Math.min(Math.max(msg.max_bytes ?? LOG_READ_MAX, 1), LOG_READ_MAX)
      await store.getRun(msg.run_id)
      const step = await store.getStep(msg.run_id, msg.step_key)
      if (!step) {
        const steps = await store.listSteps(msg.run_id)
        throw notFound(
          `Pipeline run '${msg.run_id}' has no step '${msg.step_key}'; its steps: ${steps.map((s) => s.stepKey).join(', ') || '(none yet)'}.`,
        )
      }
      const slice = await store.readLog(msg.run_id, msg.step_key, offset, max)
      return { text: slice.text, next_offset: slice.nextOffset, step_status: step.status }
    }),
  ]
}

/**
 * Resume (after Metaflow's): a new pipeline run of the same spec, params and folder that reuses
 * the outputs of every step instance that succeeded in the earlier run and runs the rest: the
 * failed steps, what they fed, and whatever never started. Reuse does not depend on the cache, so
 * it works with caching off; reused steps are marked as cache hits naming the run they came from.
 */
import { CairnError } from '../../protocol/errors.js'
import { TRACKING_API } from '../../protocol/tracking-api.js'
import type { StepRecord } from '../../protocol/pipeline-entities.js'
import type { PipelinesClient } from '../client.js'
import { resolveParams } from '../spec/params.js'
import { revalidateSpec } from '../spec/raw.js'
import type { PipelineSpec, Value } from '../spec/types.js'

export interface ResumePlan {
  spec: PipelineSpec
  params: Record<string, Value>
  workdir: string
  useCache: boolean
  backend: string
  experimentName: string
  resume: { fromRunId: string; steps: StepRecord[] }
}

export async function planResume(client: PipelinesClient, runId: string): Promise<ResumePlan> {
  const { run, steps } = await client.getRun(runId)
  if (run.status === 'running') {
    throw new CairnError(
      'INVALID_STATE',
      `Pipeline run ${runId} is still running; wait for it, or cancel it first (cairn pipeline cancel ${runId}).`,
    )
  }
  const spec = revalidateSpec(run.spec)
  const experiment = await client.http.call(TRACKING_API.getExperiment, { experiment_id: run.experimentId })
  return {
    spec,
    params: resolveParams(spec, run.params),
    workdir: run.workdir,
    useCache: run.useCache,
    backend: run.backend,
    experimentName: experiment.experiment.name,
    resume: { fromRunId: run.runId, steps },
  }
}

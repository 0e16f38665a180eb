/** What every step of the example shares: its own tracking run, and typed reads of its params. */
import { CairnClient, type ActiveRun } from '../../../src/client/index.js'
import type { StepContext } from '../../../src/pipelines/index.js'

/**
 * The step's own run (the orchestrator made it; MLFLOW_RUN_ID names it), resumed so what the step
 * logs lands on it. The orchestrator ends it, so steps only flush.
 */
export async function stepRun(ctx: StepContext): Promise<{ client: CairnClient; run: ActiveRun }> {
  const client = new CairnClient({ trackingUri: ctx.trackingUri, handleExit: false })
  return { client, run: await client.startRun({ runId: ctx.runId }) }
}

function param(ctx: StepContext, name: string): unknown {
  const v = ctx.params[name]
  if (v === undefined || v === null) throw new Error(`step '${ctx.step}' needs the parameter '${name}'`)
  return v
}

export function numberParam(ctx: StepContext, name: string): number {
  const v = param(ctx, name)
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isFinite(n))
    throw new Error(`parameter '${name}' of step '${ctx.step}' must be a number, got ${JSON.stringify(v)}`)
  return n
}

export function stringParam(ctx: StepContext, name: string): string {
  const v = param(ctx, name)
  if (typeof v !== 'string' || v === '')
    throw new Error(
      `parameter '${name}' of step '${ctx.step}' must be a non-empty string, got ${JSON.stringify(v)}`,
    )
  return v
}

export function boolParam(ctx: StepContext, name: string): boolean {
  const v = param(ctx, name)
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'false') return v === 'true'
  throw new Error(`parameter '${name}' of step '${ctx.step}' must be true or false, got ${JSON.stringify(v)}`)
}

export function inputDir(ctx: StepContext, name: string): string {
  const dir = ctx.inputs[name]
  if (dir === undefined) throw new Error(`step '${ctx.step}' has no input '${name}'`)
  return dir
}

export function outputDir(ctx: StepContext, name: string): string {
  const dir = ctx.outputs[name]
  if (dir === undefined) throw new Error(`step '${ctx.step}' has no output '${name}'`)
  return dir
}

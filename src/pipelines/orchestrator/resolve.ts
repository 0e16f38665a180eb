/**
 * Filling in a step instance: templates in params, env and the command get their values (pipeline
 * params, upstream value outputs, the fan-out item), input bindings become the upstream runs'
 * artifacts. `{{inputs.x}}` and `{{outputs.x}}` stay in the command: their local paths are known
 * only where the step runs (staging fills them).
 */
import type { ArtifactOutput, StepOutputs, StepStatus } from '../../protocol/pipeline-entities.js'
import { ENV } from '../staging/env-names.js'
import { parseTemplate, resolveValue, shellQuote, valueText } from '../spec/template.js'
import type { StepRun, StepSpec, Value } from '../spec/types.js'

/** A step that ended, as later steps see it. */
export interface Upstream {
  status: StepStatus
  /** One per instance for a fan-out (in item order), else one. */
  outputs: StepOutputs[]
  fanout: boolean
  message: string
}

export interface ResolveContext {
  params: Record<string, Value>
  upstream: Map<string, Upstream>
  pipeline: { name: string; runId: string; status?: string }
  item?: Value
  hasItem: boolean
}

export class ResolveError extends Error {
  override name = 'ResolveError'
}

export function lookupIn(ctx: ResolveContext): (ref: string[]) => Value {
  return (ref) => {
    const [head, name, ...rest] = ref
    if (head === 'params') {
      const v = ctx.params[name ?? '']
      if (v === undefined) throw new ResolveError(`no parameter '${name}'`)
      return v
    }
    if (head === 'item') {
      if (!ctx.hasItem) throw new ResolveError(`'item' is only defined in a fan-out`)
      let v: Value | undefined = ctx.item
      for (const k of [name, ...rest].filter((x): x is string => x !== undefined)) {
        if (v === null || typeof v !== 'object' || Array.isArray(v) || !(k in v)) {
          throw new ResolveError(`the item ${JSON.stringify(ctx.item)} has no field '${k}'`)
        }
        v = v[k]
      }
      return v ?? null
    }
    if (head === 'pipeline') {
      if (name === 'run_id') return ctx.pipeline.runId
      if (name === 'name') return ctx.pipeline.name
      if (name === 'status') return ctx.pipeline.status ?? 'running'
      throw new ResolveError(`unknown '${ref.join('.')}'`)
    }
    const up = ctx.upstream.get(head ?? '')
    if (!up) throw new ResolveError(`step '${head}' has not run`)
    const values = up.outputs.map((o) => o.values[name ?? ''])
    if (values.some((v) => v === undefined))
      throw new ResolveError(`step '${head}' produced no value '${name}'`)
    return up.fanout ? (values as Value[]) : values[0]!
  }
}

/** The command with templates filled, except local paths (left as `{{inputs.x}}` for staging). */
export function resolveRun(run: StepRun, lookup: (ref: string[]) => Value): StepRun {
  const fill = (text: string, shell: boolean): string =>
    parseTemplate(text)
      .map((p) => {
        if ('text' in p) return p.text
        if (p.ref[0] === 'inputs' || p.ref[0] === 'outputs') return `{{${p.ref.join('.')}}}`
        const t = valueText(lookup(p.ref))
        return shell ? shellQuote(t) : t
      })
      .join('')
  if (run.kind === 'shell') return { kind: 'shell', script: fill(run.script, true) }
  if (run.kind === 'argv') return { kind: 'argv', argv: run.argv.map((a) => fill(a, false)) }
  return run
}

/** The env of a step: its own (templates filled, paths as the CAIRN_INPUT_/OUTPUT_ variables' values at run time). */
export function resolveEnv(
  env: Record<string, string>,
  lookup: (ref: string[]) => Value,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    out[k] = parseTemplate(v)
      .map((p) => {
        if ('text' in p) return p.text
        if (p.ref[0] === 'inputs') return `{{inputs.${p.ref[1]}}}`
        if (p.ref[0] === 'outputs') return `{{outputs.${p.ref[1]}}}`
        return valueText(lookup(p.ref))
      })
      .join('')
  }
  return out
}

export function resolveParams(step: StepSpec, lookup: (ref: string[]) => Value): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const [k, v] of Object.entries(step.params)) out[k] = resolveValue(v, lookup)
  return out
}

export function resolveInputs(
  step: StepSpec,
  upstream: Map<string, Upstream>,
): Record<string, ArtifactOutput | ArtifactOutput[]> {
  const out: Record<string, ArtifactOutput | ArtifactOutput[]> = {}
  for (const [name, b] of Object.entries(step.inputs)) {
    const up = upstream.get(b.step)
    const arts = up?.outputs.map((o) => o.artifacts[b.artifact])
    if (!up || !arts || arts.some((a) => a === undefined)) {
      throw new ResolveError(
        `missing artifact: input '${name}' needs '${b.step}.${b.artifact}', which was not produced`,
      )
    }
    out[name] = up.fanout ? (arts as ArtifactOutput[]) : arts[0]!
  }
  return out
}

/** Environment every step process gets beside its own: tracking, identity, params, item. */
export function stepEnvironment(o: {
  trackingUri: string
  stepRunId: string
  experimentId: string
  pipeline: string
  pipelineRunId: string
  step: string
  key: string
  attempt: number
  params: Record<string, Value>
  item: Value | undefined
  hasItem: boolean
  pipelineStatus?: string
}): Record<string, string> {
  const env: Record<string, string> = {
    MLFLOW_TRACKING_URI: o.trackingUri,
    CAIRN_TRACKING_URI: o.trackingUri,
    MLFLOW_RUN_ID: o.stepRunId,
    MLFLOW_EXPERIMENT_ID: o.experimentId,
    CAIRN_PIPELINE: o.pipeline,
    CAIRN_PIPELINE_RUN_ID: o.pipelineRunId,
    CAIRN_STEP: o.step,
    CAIRN_STEP_KEY: o.key,
    CAIRN_ATTEMPT: String(o.attempt),
    CAIRN_PARAMS: JSON.stringify(o.params),
  }
  for (const [k, v] of Object.entries(o.params)) env[ENV.param(k)] = valueText(v)
  if (o.hasItem) env['CAIRN_ITEM'] = valueText(o.item ?? null)
  if (o.pipelineStatus !== undefined) env['CAIRN_PIPELINE_STATUS'] = o.pipelineStatus
  return env
}

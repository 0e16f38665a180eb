/**
 * The other direction of normalization: a spec back to the raw shape a YAML file has, such that
 * `normalizePipeline(specToRaw(spec))` equals `spec`. Used to store a pipeline where a file is
 * expected (a Kubernetes ConfigMap, `cairn pipeline show --spec`) and to re-validate a spec that
 * arrives already normalized (schedules, resumed runs).
 */
import { invalidParameter } from '../../protocol/errors.js'
import { normalizePipeline } from './normalize.js'
import { SPEC_VERSION, type PipelineSpec, type StepSpec } from './types.js'

function stepToRaw(s: StepSpec): Record<string, unknown> {
  const run =
    s.run.kind === 'shell'
      ? { command: s.run.script }
      : s.run.kind === 'argv'
        ? { command: s.run.argv }
        : { function: { module: s.run.module, export: s.run.export } }
  const resources = Object.fromEntries(Object.entries(s.resources).filter(([, v]) => v !== null))
  return {
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    ...run,
    ...(s.image !== null ? { image: s.image } : {}),
    ...(Object.keys(s.params).length ? { params: s.params } : {}),
    ...(Object.keys(s.inputs).length
      ? {
          inputs: Object.fromEntries(
            Object.entries(s.inputs).map(([k, b]) => [k, `${b.step}.${b.artifact}`]),
          ),
        }
      : {}),
    outputs: { artifacts: s.outputs.artifacts, values: s.outputs.values },
    ...(s.dependsOn.length ? { dependsOn: s.dependsOn } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    retries: {
      limit: s.retries.limit,
      backoff: `${s.retries.backoffMs}ms`,
      factor: s.retries.factor,
      maxBackoff: `${s.retries.maxBackoffMs}ms`,
    },
    ...(s.timeoutMs !== null ? { timeout: `${s.timeoutMs}ms` } : {}),
    ...(s.when !== null ? { when: s.when } : {}),
    ...(s.forEach ? { forEach: s.forEach } : {}),
    cache: s.cache,
    ...(Object.keys(s.env).length ? { env: s.env } : {}),
    ...(s.sources.length ? { sources: s.sources } : {}),
  }
}

export function specToRaw(spec: PipelineSpec): Record<string, unknown> {
  return {
    apiVersion: spec.apiVersion,
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.experiment !== null ? { experiment: spec.experiment } : {}),
    params: Object.fromEntries(
      Object.entries(spec.params).map(([k, p]) => [
        k,
        {
          type: p.type,
          ...(p.default !== null ? { default: p.default } : {}),
          ...(p.description ? { description: p.description } : {}),
        },
      ]),
    ),
    parallelism: spec.parallelism,
    steps: spec.steps.map(stepToRaw),
    ...(spec.onExit ? { onExit: stepToRaw(spec.onExit) } : {}),
  }
}

/**
 * Checks a spec that arrives as JSON (a stored run, a schedule request): a normalized spec is
 * normalized again from its raw form; anything else is read as a raw definition.
 */
export function revalidateSpec(spec: unknown): PipelineSpec {
  const s = spec as Partial<PipelineSpec> | null
  const looksNormalized =
    typeof s === 'object' &&
    s !== null &&
    s.apiVersion === SPEC_VERSION &&
    Array.isArray(s.steps) &&
    s.steps.length > 0 &&
    s.steps.every((x) => typeof x === 'object' && x !== null && 'run' in x)
  if (!looksNormalized) return normalizePipeline(spec)
  let raw: Record<string, unknown>
  try {
    raw = specToRaw(s as PipelineSpec)
  } catch (err) {
    throw invalidParameter(`The pipeline spec is not a valid normalized spec: ${(err as Error).message}`)
  }
  return normalizePipeline(raw)
}

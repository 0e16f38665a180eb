/**
 * The normalized pipeline spec: what YAML files and the TypeScript builder both produce
 * (normalize.ts), what validation checks, what the orchestrator runs and what is stored with a
 * pipeline run. Plain JSON: every field is present (null or empty when unset), so two specs are
 * equal exactly when they mean the same pipeline.
 *
 * Strings in `params`, `env`, command text and `forEach.items` may hold templates:
 * `{{params.NAME}}`, `{{STEP.VALUE}}` (an upstream value output), `{{item}}` / `{{item.KEY}}`
 * (the fan-out item), `{{inputs.NAME}}` / `{{outputs.NAME}}` (local artifact folders). A string
 * that is one template and nothing else keeps the referenced value's type.
 */
import type { OutputValue } from '../../protocol/pipeline-entities.js'

export const SPEC_VERSION = 'cairn/v1'

export type Value = OutputValue

export const PARAM_TYPES = ['string', 'int', 'float', 'bool', 'list', 'object'] as const
export type ParamType = (typeof PARAM_TYPES)[number]

export interface ParamSpec {
  type: ParamType
  /** null: the parameter is required. */
  default: Value | null
  description: string
}

/**
 * How a step runs. `shell`: one line for `sh -c` (templates are shell-quoted when filled in);
 * `argv`: a program and its arguments, no shell; `function`: an exported TypeScript/JavaScript
 * function, run in a child process by the function runner (src/pipelines/function-runner.ts).
 */
export type StepRun =
  | { kind: 'shell'; script: string }
  | { kind: 'argv'; argv: string[] }
  | { kind: 'function'; module: string; export: string }

export interface RetrySpec {
  /** Extra attempts after the first. */
  limit: number
  backoffMs: number
  factor: number
  maxBackoffMs: number
}

export interface ResourceSpec {
  /** Kubernetes quantities: "500m", "2". */
  cpu: string | null
  /** "512Mi", "2Gi". */
  memory: string | null
  gpu: number | null
}

export interface ForEachSpec {
  /** A literal list or one template naming a list (a list param or value output). */
  items: Value[] | string
  /** Most items running at once. */
  parallelism: number
}

export interface ArtifactBinding {
  step: string
  artifact: string
}

export interface StepOutputsSpec {
  /** Folders the step writes ($CAIRN_OUTPUT_<NAME>), uploaded to its run's `outputs/<name>/`. */
  artifacts: string[]
  /** Small typed values the step writes ($CAIRN_VALUE_<NAME>): for conditions and parameters. */
  values: Record<string, ParamType>
}

export interface StepSpec {
  name: string
  description: string
  run: StepRun
  /** Container image (used by the Kubernetes executor; the local executor ignores it). */
  image: string | null
  params: Record<string, Value>
  inputs: Record<string, ArtifactBinding>
  outputs: StepOutputsSpec
  /** Explicit dependencies; the ones implied by inputs and templates are added by validation. */
  dependsOn: string[]
  resources: ResourceSpec
  retries: RetrySpec
  timeoutMs: number | null
  /** A condition (expr/): the step runs only when it is true. */
  when: string | null
  forEach: ForEachSpec | null
  /** Caching on (default) or off for this step. */
  cache: boolean
  env: Record<string, string>
  /** Files or folders (relative to the pipeline's folder) whose contents join the cache key. */
  sources: string[]
}

export interface PipelineSpec {
  apiVersion: typeof SPEC_VERSION
  name: string
  description: string
  /** Experiment the runs are recorded in; null: one named after the pipeline. */
  experiment: string | null
  params: Record<string, ParamSpec>
  /** Most steps running at once in one pipeline run. */
  parallelism: number
  steps: StepSpec[]
  /** Runs after every other step ended, whatever happened (also after a cancel). */
  onExit: StepSpec | null
}

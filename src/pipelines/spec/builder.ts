/**
 * The TypeScript builder: the same pipelines as YAML, with types. `build()` runs the same
 * normalization and validation as a YAML file, so both produce the same spec object.
 *
 * @example
 * export default pipeline('train-eval')
 *   .param('min_auc', 'float', 0.7)
 *   .step('train', { command: 'python3 train.py', outputs: { artifacts: ['model'] } })
 *   .step('evaluate', {
 *     function: './steps.ts#evaluate', // runs in a child process: module path + export name
 *     inputs: { model: 'train.model' },
 *     outputs: { values: { auc: 'float' } },
 *   })
 *   .step('promote', { command: 'node promote.js', when: `evaluate.auc >= params.min_auc` })
 *   .build()
 */
import { normalizePipeline } from './normalize.js'
import type { ParamType, PipelineSpec, Value } from './types.js'

export type Duration = string | number

export interface StepDefinition {
  description?: string
  /** A shell line, or a program and its arguments. */
  command?: string | string[]
  /** `'./steps.ts#train'` or `{ module: './steps.ts', export: 'train' }` (paths relative to the pipeline's folder). */
  function?: string | { module: string; export?: string }
  image?: string
  params?: Record<string, Value>
  /** Input name → `'step.artifact'`. */
  inputs?: Record<string, string>
  outputs?: string[] | { artifacts?: string[]; values?: Record<string, ParamType> }
  dependsOn?: string[]
  resources?: { cpu?: string | number; memory?: string; gpu?: number }
  retries?: number | { limit?: number; backoff?: Duration; factor?: number; maxBackoff?: Duration }
  timeout?: Duration
  when?: string
  forEach?: Value[] | string | { items: Value[] | string; parallelism?: number }
  cache?: boolean
  env?: Record<string, string>
  sources?: string[]
}

export type StepDefaults = Pick<
  StepDefinition,
  'image' | 'resources' | 'retries' | 'timeout' | 'cache' | 'env'
>

export interface PipelineOptions {
  description?: string
  experiment?: string
  parallelism?: number
}

/** `{{params.NAME}}`, `{{STEP.VALUE}}` and `{{item}}` without typing the braces. */
export const ref = {
  param: (name: string): string => `{{params.${name}}}`,
  value: (step: string, name: string): string => `{{${step}.${name}}}`,
  item: (key?: string): string => (key === undefined ? '{{item}}' : `{{item.${key}}}`),
  input: (name: string): string => `{{inputs.${name}}}`,
  output: (name: string): string => `{{outputs.${name}}}`,
}

export class PipelineBuilder {
  private readonly params: Record<string, unknown> = {}
  private readonly steps: Record<string, unknown>[] = []
  private exitStep: Record<string, unknown> | null = null
  private stepDefaults: StepDefaults | null = null

  constructor(
    private readonly name: string,
    private readonly opts: PipelineOptions = {},
  ) {}

  /** A typed parameter; without a default it is required. */
  param(name: string, type: ParamType, defaultValue?: Value, description?: string): this {
    this.params[name] = {
      type,
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
      ...(description !== undefined ? { description } : {}),
    }
    return this
  }

  /** Settings every step gets unless it sets its own. */
  defaults(d: StepDefaults): this {
    this.stepDefaults = d
    return this
  }

  step(name: string, def: StepDefinition): this {
    this.steps.push({ name, ...def })
    return this
  }

  /** The cleanup step: runs after every other step ended, whatever happened. */
  onExit(name: string, def: StepDefinition): this {
    this.exitStep = { name, ...def }
    return this
  }

  /** The raw definition, in the shape a YAML file has. */
  toRaw(): Record<string, unknown> {
    return {
      name: this.name,
      ...(this.opts.description !== undefined ? { description: this.opts.description } : {}),
      ...(this.opts.experiment !== undefined ? { experiment: this.opts.experiment } : {}),
      ...(this.opts.parallelism !== undefined ? { parallelism: this.opts.parallelism } : {}),
      ...(Object.keys(this.params).length > 0 ? { params: this.params } : {}),
      ...(this.stepDefaults ? { defaults: this.stepDefaults } : {}),
      steps: this.steps,
      ...(this.exitStep ? { onExit: this.exitStep } : {}),
    }
  }

  /** Normalizes and validates; throws PipelineSpecError naming each problem's step and field. */
  build(): PipelineSpec {
    return normalizePipeline(this.toRaw())
  }
}

export function pipeline(name: string, opts: PipelineOptions = {}): PipelineBuilder {
  return new PipelineBuilder(name, opts)
}

/**
 * `cairn/pipelines`: define pipelines in TypeScript, type function steps, and run pipelines from
 * code (the CLI's `cairn pipeline run` is built on the same pieces).
 */
export {
  pipeline,
  PipelineBuilder,
  ref,
  type StepDefinition,
  type StepDefaults,
  type PipelineOptions,
} from './spec/builder.js'
export type { PipelineSpec, StepSpec, ParamType, Value } from './spec/types.js'
export { loadPipelineFile, parsePipelineText, type LoadedPipeline } from './spec/load.js'
export { normalizePipeline } from './spec/normalize.js'
export { resolveParams, parseParamArgs } from './spec/params.js'
export { PipelineSpecError, type SpecIssue } from './spec/errors.js'
export type { StepContext, StepFunction } from './function-runner.js'
export type { StepExecutor, StepTask, StepResult, RunOptions } from './executor.js'
export { LocalExecutor, type LocalExecutorOptions } from './executors/local/local-executor.js'
export { openExecutor } from './executors/open-executor.js'
export { PipelinesClient } from './client.js'
export {
  launchPipeline,
  runPipeline,
  type OrchestratorOptions,
  type PipelineOutcome,
  type LaunchedPipeline,
} from './orchestrator/orchestrator.js'
export { planResume } from './orchestrator/resume.js'
export type { PipelineEvent } from './orchestrator/events.js'

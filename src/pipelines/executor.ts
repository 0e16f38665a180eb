/**
 * Executors run one step somewhere (a child process, a Kubernetes Job) and report what happened.
 * One cancellable method, no orchestration inside: retries, caching, DAG order and schedules live
 * in the orchestrator and the scheduler. A step that fails is an outcome (a StepResult), not an
 * exception; `run` throws only when the executor itself cannot work (e.g. cannot reach its API).
 *
 * What every executor does for a task (the contract suite, executors/executor.contract.ts, checks
 * each point):
 * - runs `task.run` with `task.env` (which carries MLFLOW_TRACKING_URI, CAIRN_TRACKING_URI and
 *   MLFLOW_RUN_ID of the step's own run) in `task.workdir` (local) or the image (containers);
 * - before the command, makes each input artifact available as a local folder and sets
 *   CAIRN_INPUT_<NAME>; gives each declared output an empty folder (CAIRN_OUTPUT_<NAME>) and each
 *   value output a file path (CAIRN_VALUE_<NAME>); `{{inputs.x}}` / `{{outputs.x}}` in the command
 *   are filled with those paths (staging/stage.ts does all of this for any executor);
 * - streams the step's output lines to `log` as they come;
 * - after a zero exit, uploads each output folder to the step run's artifacts (`outputs/<name>/`)
 *   and reads the values, returning their digests and values; a declared output the step did not
 *   write makes the step fail;
 * - stops the step when `timeoutMs` passes (status `failed`, `timedOut: true`) or `signal` aborts
 *   (status `cancelled`), leaving nothing of it running.
 */
import type { ArtifactOutput, StepOutputs } from '../protocol/pipeline-entities.js'
import type { ResourceSpec, StepOutputsSpec, StepRun, Value } from './spec/types.js'

export interface StepTask {
  /** Unique in the pipeline run: `train`, or `fit[3]` for an item of a fan-out. */
  key: string
  step: string
  pipeline: string
  pipelineRunId: string
  /** 1 for the first attempt. */
  attempt: number
  /** With every template filled in except `{{inputs.x}}` and `{{outputs.x}}` (paths known only where the step runs). */
  run: StepRun
  image: string | null
  env: Record<string, string>
  /** The pipeline's folder: the working folder of local steps, and where relative function modules are found. */
  workdir: string
  resources: ResourceSpec
  timeoutMs: number | null
  tracking: { uri: string; runId: string }
  /** Input name → the artifact (a list of them when the upstream step fanned out). */
  inputs: Record<string, ArtifactOutput | ArtifactOutput[]>
  outputs: StepOutputsSpec
  params: Record<string, Value>
  /** The fan-out item, when there is one. */
  item?: Value
}

export type StepResultStatus = 'succeeded' | 'failed' | 'cancelled'

export interface StepResult {
  status: StepResultStatus
  /** The process's exit code (128 + n when killed by signal n); null when it never ran. */
  exitCode: number | null
  timedOut: boolean
  /** Why it failed or was cancelled, in one line; '' on success. */
  message: string
  outputs: StepOutputs
}

export interface RunOptions {
  signal: AbortSignal
  /** One line of the step's output (stdout and stderr), without the newline. */
  log: (line: string) => void
}

export interface StepExecutor {
  readonly name: 'local' | 'kubernetes'
  run(task: StepTask, opts: RunOptions): Promise<StepResult>
  /** Releases what the executor holds (watchers, clients). */
  close?(): Promise<void>
}

export const noOutputs = (): StepOutputs => ({ artifacts: {}, values: {} })

export function failed(message: string, extra: Partial<StepResult> = {}): StepResult {
  return { status: 'failed', exitCode: null, timedOut: false, message, outputs: noOutputs(), ...extra }
}

export function cancelled(message = 'cancelled', exitCode: number | null = null): StepResult {
  return { status: 'cancelled', exitCode, timedOut: false, message, outputs: noOutputs() }
}

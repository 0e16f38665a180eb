/** What an orchestrator reports as a pipeline run goes (the CLI's live progress listens). */
import type { PipelineRunStatus, StepStatus } from '../../protocol/pipeline-entities.js'

export type PipelineEvent =
  | { type: 'run-started'; runId: string; pipeline: string; steps: string[]; experimentId: string }
  | { type: 'fanout'; step: string; keys: string[] }
  | { type: 'step-started'; key: string; step: string; attempt: number; runId: string }
  | { type: 'step-log'; key: string; line: string }
  | { type: 'step-retrying'; key: string; attempt: number; delayMs: number; message: string }
  | {
      type: 'step-finished'
      key: string
      step: string
      status: StepStatus
      cacheHit: boolean
      reused: boolean
      durationMs: number
      message: string
      exitCode: number | null
      /** Whether this key is one item of a fan-out. */
      item: boolean
    }
  | { type: 'run-finished'; runId: string; status: PipelineRunStatus; message: string }

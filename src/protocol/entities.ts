/** Cairn's domain types (camelCase). The wire forms and their mappers live in wire.ts. */

export interface Tag {
  key: string
  value: string
}
export type Param = Tag

export interface Metric {
  key: string
  value: number
  timestamp: number
  step: number
}

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

export type LifecycleStage = 'active' | 'deleted'

export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const
export type ViewType = (typeof VIEW_TYPES)[number]

export interface Experiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: LifecycleStage
  creationTime: number
  lastUpdateTime: number
  tags: Tag[]
}

export interface RunInfo {
  runId: string
  experimentId: string
  runName: string
  userId: string
  status: RunStatus
  startTime: number
  endTime: number | null
  artifactUri: string
  lifecycleStage: LifecycleStage
}

export interface Dataset {
  name: string
  digest: string
  sourceType: string
  source: string
  schema?: string
  profile?: string
}

export interface DatasetInput {
  tags: Tag[]
  dataset: Dataset
}

export interface RunData {
  metrics: Metric[]
  params: Param[]
  tags: Tag[]
}

export interface Run {
  info: RunInfo
  data: RunData
  inputs: { datasetInputs: DatasetInput[] }
}

/** A metric point with the run it belongs to (bulk history answers). */
export interface RunMetric extends Metric {
  runId: string
}

export interface FileInfo {
  path: string
  isDir: boolean
  fileSize?: number
}

/** Tags MLflow gives meaning to. */
export const MLFLOW_TAGS = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  parentRunId: 'mlflow.parentRunId',
  note: 'mlflow.note.content',
  logModelHistory: 'mlflow.log-model.history',
  source: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
} as const

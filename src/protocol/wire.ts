/**
 * MLflow's JSON shapes (snake_case) and one mapper per entity in each direction.
 * MLflow omits empty repeated fields and unset optional ones; so do these mappers.
 */
import type {
  Dataset,
  DatasetInput,
  Experiment,
  FileInfo,
  LifecycleStage,
  Metric,
  Run,
  RunInfo,
  RunMetric,
  RunStatus,
  Tag,
} from './entities.js'

export interface WireTag {
  key: string
  value: string
}
export interface WireMetric {
  key: string
  value: number | 'NaN' | 'Infinity' | '-Infinity'
  timestamp: number
  step: number
}
export interface WireRunMetric extends WireMetric {
  run_id: string
}
export interface WireExperiment {
  experiment_id: string
  name: string
  artifact_location: string
  lifecycle_stage: LifecycleStage
  last_update_time: number
  creation_time: number
  tags?: WireTag[]
}
export interface WireRunInfo {
  run_uuid: string
  experiment_id: string
  run_name: string
  user_id: string
  status: RunStatus
  start_time: number
  end_time?: number
  artifact_uri: string
  lifecycle_stage: LifecycleStage
  run_id: string
}
export interface WireDataset {
  name: string
  digest: string
  source_type: string
  source: string
  schema?: string
  profile?: string
}
export interface WireDatasetInput {
  tags?: WireTag[]
  dataset: WireDataset
}
export interface WireRun {
  info: WireRunInfo
  data: { metrics?: WireMetric[]; params?: WireTag[]; tags?: WireTag[] }
  inputs: { dataset_inputs?: WireDatasetInput[] }
}
export interface WireFileInfo {
  path: string
  is_dir: boolean
  file_size?: number
}

/** JSON has no NaN/Infinity: proto3 JSON spells them as strings, and so does MLflow. */
export function doubleToWire(v: number): WireMetric['value'] {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  return v
}

export function doubleFromWire(v: number | string): number {
  if (typeof v === 'number') return v
  if (v === 'NaN') return Number.NaN
  if (v === 'Infinity') return Number.POSITIVE_INFINITY
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY
  return Number(v)
}

export const tagsToWire = (tags: Tag[]): WireTag[] => tags.map((t) => ({ key: t.key, value: t.value }))

export function metricToWire(m: Metric): WireMetric {
  return { key: m.key, value: doubleToWire(m.value), timestamp: m.timestamp, step: m.step }
}

export function metricFromWire(m: WireMetric): Metric {
  return { key: m.key, value: doubleFromWire(m.value), timestamp: Number(m.timestamp), step: Number(m.step ?? 0) }
}

export function runMetricToWire(m: RunMetric): WireRunMetric {
  return { key: m.key, run_id: m.runId, step: m.step, timestamp: m.timestamp, value: doubleToWire(m.value) }
}

export function experimentToWire(e: Experiment): WireExperiment {
  const out: WireExperiment = {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
  }
  if (e.tags.length > 0) out.tags = tagsToWire(e.tags)
  return out
}

export function experimentFromWire(e: WireExperiment): Experiment {
  return {
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
    creationTime: Number(e.creation_time),
    lastUpdateTime: Number(e.last_update_time),
    tags: e.tags ?? [],
  }
}

export function runInfoToWire(i: RunInfo): WireRunInfo {
  const out: WireRunInfo = {
    run_uuid: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
    run_id: i.runId,
  }
  if (i.endTime !== null) out.end_time = i.endTime
  return out
}

export function runInfoFromWire(i: WireRunInfo): RunInfo {
  return {
    runId: i.run_id ?? i.run_uuid,
    experimentId: i.experiment_id,
    runName: i.run_name ?? '',
    userId: i.user_id ?? '',
    status: i.status,
    startTime: Number(i.start_time ?? 0),
    endTime: i.end_time === undefined ? null : Number(i.end_time),
    artifactUri: i.artifact_uri,
    lifecycleStage: i.lifecycle_stage,
  }
}

function datasetToWire(d: Dataset): WireDataset {
  const out: WireDataset = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source }
  if (d.schema !== undefined && d.schema !== '') out.schema = d.schema
  if (d.profile !== undefined && d.profile !== '') out.profile = d.profile
  return out
}

function datasetFromWire(d: WireDataset): Dataset {
  const out: Dataset = { name: d.name, digest: d.digest, sourceType: d.source_type, source: d.source }
  if (d.schema !== undefined) out.schema = d.schema
  if (d.profile !== undefined) out.profile = d.profile
  return out
}

export function datasetInputToWire(d: DatasetInput): WireDatasetInput {
  const out: WireDatasetInput = { dataset: datasetToWire(d.dataset) }
  if (d.tags.length > 0) out.tags = tagsToWire(d.tags)
  return out
}

export function runToWire(r: Run): WireRun {
  const data: WireRun['data'] = {}
  if (r.data.metrics.length > 0) data.metrics = r.data.metrics.map(metricToWire)
  if (r.data.params.length > 0) data.params = tagsToWire(r.data.params)
  if (r.data.tags.length > 0) data.tags = tagsToWire(r.data.tags)
  const inputs: WireRun['inputs'] = {}
  if (r.inputs.datasetInputs.length > 0) inputs.dataset_inputs = r.inputs.datasetInputs.map(datasetInputToWire)
  return { info: runInfoToWire(r.info), data, inputs }
}

export function runFromWire(r: WireRun): Run {
  return {
    info: runInfoFromWire(r.info),
    data: {
      metrics: (r.data?.metrics ?? []).map(metricFromWire),
      params: r.data?.params ?? [],
      tags: r.data?.tags ?? [],
    },
    inputs: {
      datasetInputs: (r.inputs?.dataset_inputs ?? []).map((d) => ({
        tags: d.tags ?? [],
        dataset: datasetFromWire(d.dataset),
      })),
    },
  }
}

export function fileInfoToWire(f: FileInfo): WireFileInfo {
  const out: WireFileInfo = { path: f.path, is_dir: f.isDir }
  if (f.fileSize !== undefined) out.file_size = f.fileSize
  return out
}

export function fileInfoFromWire(f: WireFileInfo): FileInfo {
  const out: FileInfo = { path: f.path, isDir: Boolean(f.is_dir) }
  if (f.file_size !== undefined) out.fileSize = Number(f.file_size)
  return out
}

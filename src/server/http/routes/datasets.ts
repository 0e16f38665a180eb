/** Dataset inputs (log-inputs): MLflow stores whatever it is sent; Cairn checks fields and limits. */
import type { DatasetInput } from '../../../protocol/entities.js'
import { invalidParameter } from '../../../protocol/errors.js'
import { LIMITS } from '../../../protocol/limits.js'
import { validateLength } from '../../../protocol/validation.js'

interface WireInput {
  tags: ({ key: string; value: string } | undefined)[]
  dataset:
    | { name: string; digest: string; source_type: string; source: string; schema?: string | undefined; profile?: string | undefined }
    | undefined
}

export function validateDatasetInputs(inputs: (WireInput | undefined)[]): DatasetInput[] {
  if (inputs.length > LIMITS.maxDatasetsPerBatch) {
    throw invalidParameter(
      `Logging inputs can contain at most ${LIMITS.maxDatasetsPerBatch} datasets. Got ${inputs.length} datasets.`,
    )
  }
  return inputs.map((input, i) => {
    const d = input?.dataset
    if (!d) throw invalidParameter(`datasets[${i}] is missing its 'dataset'.`)
    for (const field of ['name', 'digest', 'source_type', 'source'] as const) {
      if (d[field] === '') throw invalidParameter(`datasets[${i}].dataset.${field} is required.`)
    }
    validateLength('Dataset name', d.name, LIMITS.maxDatasetNameLength)
    validateLength('Dataset digest', d.digest, LIMITS.maxDatasetDigestLength)
    validateLength('Dataset source', d.source, LIMITS.maxDatasetSourceLength)
    if (d.schema) validateLength('Dataset schema', d.schema, LIMITS.maxDatasetSchemaLength)
    if (d.profile) validateLength('Dataset profile', d.profile, LIMITS.maxDatasetProfileLength)
    const tags = (input.tags ?? []).map((t) => ({ key: t!.key, value: t!.value }))
    for (const t of tags) {
      if (t.key === '') throw invalidParameter(`datasets[${i}].tags has a tag without a key.`)
      validateLength('Input tag key', t.key, LIMITS.maxInputTagKeyLength)
      validateLength('Input tag value', t.value, LIMITS.maxInputTagValueLength)
    }
    const dataset: DatasetInput['dataset'] = { name: d.name, digest: d.digest, sourceType: d.source_type, source: d.source }
    if (d.schema) dataset.schema = d.schema
    if (d.profile) dataset.profile = d.profile
    return { tags, dataset }
  })
}

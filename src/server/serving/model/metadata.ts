/**
 * Datatypes between the three vocabularies serving meets: MLflow signatures (column types and
 * numpy dtypes), onnxruntime element types, and the Open Inference Protocol's datatypes.
 */
import type { ColumnType, Schema, TensorDType } from '../../../models/index.js'
import type { IoMetadata } from '../types.js'

export const OIP_OF_DTYPE: Record<TensorDType, string> = {
  bool: 'BOOL',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  str: 'BYTES',
  bytes: 'BYTES',
  object: 'BYTES',
}

export const DTYPE_OF_OIP: Record<string, TensorDType> = {
  BOOL: 'bool',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'str',
}

/** A column type's OIP datatype; nested types travel as JSON text (BYTES). */
export function oipOfColumn(t: ColumnType): string {
  switch (t) {
    case 'boolean':
      return 'BOOL'
    case 'integer':
      return 'INT32'
    case 'long':
      return 'INT64'
    case 'float':
      return 'FP32'
    case 'double':
      return 'FP64'
    default:
      return 'BYTES'
  }
}

/** onnxruntime element type → numpy dtype name. */
export function dtypeOfOrt(type: string): TensorDType {
  if (type === 'string') return 'str'
  return (Object.keys(OIP_OF_DTYPE) as TensorDType[]).includes(type as TensorDType)
    ? (type as TensorDType)
    : 'object'
}

export function schemaMetadata(schema: Schema): IoMetadata[] {
  if (schema.kind === 'columns') {
    return schema.columns.map((c, i) => ({
      name: c.name ?? String(i),
      datatype: oipOfColumn(c.type),
      shape: [-1],
    }))
  }
  return schema.tensors.map((t, i) => ({
    name: t.name ?? String(i),
    datatype: OIP_OF_DTYPE[t.dtype],
    shape: t.shape,
  }))
}

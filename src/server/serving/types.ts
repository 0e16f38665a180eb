/**
 * The serving vocabulary shared by loaders, protocols and traffic: what a request's inputs become
 * once checked against the signature (`ModelInput`), what a prediction is (`Prediction`), and a
 * loaded model (`LoadedModel`), whatever its flavor.
 */
import type {
  ColumnarInput,
  InferenceParams,
  MLmodel,
  Signature,
  Tensor,
  TensorDType,
  TensorInput,
  TypedArray,
} from '../../models/index.js'

/**
 * A request's inputs after schema enforcement. Columns follow docs/models.md (numeric columns are
 * Float64Array, keys in the signature's order); tensors are keyed by spec name ("0" when unnamed).
 */
export type ModelInput =
  | { kind: 'columns'; rows: number; columns: ColumnarInput }
  | { kind: 'tensors'; rows: number; tensors: TensorInput }

/** One output, row-major; `shape[0]` is the number of rows. `object` holds JSON values (one per row). */
export interface OutputTensor {
  name: string
  dtype: TensorDType
  shape: number[]
  data: TypedArray | unknown[]
}

/**
 * A prediction. `orient` says how MLflow's protocol writes several outputs: `records` (a table
 * went in, MLflow's DataFrame answer: one object per row) or `tensors` (a dict of lists).
 */
export interface Prediction {
  rows: number
  outputs: OutputTensor[]
  orient: 'records' | 'tensors'
}

/** An input or output as the Open Inference Protocol describes it. */
export interface IoMetadata {
  name: string
  datatype: string
  shape: number[]
}

export type Flavor = 'onnx' | 'js'

/** Where a loaded model came from. */
export interface ModelOrigin {
  /** The URI being served (`models:/sp500@champion`). */
  uri: string
  /** The served name (the registered model's name, or `--name`). */
  name: string
  /** The registry version, when the URI resolved to one. */
  version: string | null
  /** Where the files were read from. */
  location: string
}

export interface LoadedModel {
  readonly origin: ModelOrigin
  readonly flavor: Flavor
  readonly mlmodel: MLmodel
  readonly signature: Signature | null
  readonly inputs: IoMetadata[]
  readonly outputs: IoMetadata[]
  /** Rows in, rows out; may batch with concurrent calls. */
  predict(input: ModelInput, params: InferenceParams): Promise<Prediction>
  /** Frees the runtime; called once no request uses the model any more. */
  dispose(): Promise<void>
}

export type { Tensor, TensorDType, TypedArray }

/**
 * Cairn's model format: MLflow-compatible `MLmodel` folders with the `onnx` and `js` flavors,
 * signatures, input examples, saving, and ONNX export of models trained in TypeScript.
 * Imports protocol only (and npm packages), so the SDK, the server and pipelines can all use it.
 */
export {
  MLMODEL_FILE,
  MLFLOW_FORMAT_VERSION,
  mlmodelToDict,
  newMLmodel,
  parseMLmodel,
  readMLmodel,
  serializeMLmodel,
  toPyYaml,
  utcTimeCreated,
  writeMLmodel,
  type FlavorConfig,
  type InputExampleInfo,
  type MLmodel,
} from './mlmodel.js'
export {
  DATA_TYPES,
  TENSOR_DTYPES,
  paramsToJson,
  parseParams,
  parseSchema,
  parseSignature,
  schemaNames,
  schemaToDicts,
  schemaToJson,
  signatureToWire,
  type ColumnSpec,
  type ColumnType,
  type DataType,
  type ObjectProperty,
  type ParamSpec,
  type Schema,
  type Signature,
  type TensorDType,
  type TensorSpec,
} from './signature.js'
export {
  DEFAULT_JS_ENTRY,
  JS_FLAVOR,
  ONNX_EXECUTION_PROVIDERS,
  ONNX_FLAVOR,
  ONNX_MODEL_FILE,
  PYFUNC_FLAVOR,
  checkRelativePath,
  jsFlavorOf,
  jsFlavors,
  onnxFlavorOf,
  onnxFlavors,
  servableFlavor,
  type JsFlavor,
  type OnnxFlavor,
  type ServableFlavor,
} from './flavors.js'
export {
  CONDA_ENV_FILE,
  DEFAULT_ONNX_REQUIREMENTS,
  PYTHON_ENV_FILE,
  REQUIREMENTS_FILE,
  writePythonEnv,
} from './python-env.js'
export {
  loadJsModel,
  type ColumnarInput,
  type InferenceParams,
  type JsModelInput,
  type JsModelModule,
  type JsModelOutput,
  type LoadedJsModel,
  type Tensor,
  type TensorInput,
  type TypedArray,
} from './js-flavor.js'
export {
  dtypeOfTypedArray,
  inferSchema,
  isTypedArray,
  normalizeExample,
  type InputExample,
  type NormalizedExample,
} from './infer-signature.js'
export {
  INPUT_EXAMPLE_FILE,
  SERVING_INPUT_FILE,
  readServingInputExample,
  serializeExample,
  tensorToNested,
  writeInputExample,
  type SerializedExample,
} from './input-example.js'
export {
  encodeModel,
  onnxMetadata,
  onnxTensorSpecs,
  ML_DOMAIN,
  type GraphSpec,
  type NodeSpec,
  type ValueSpec,
} from './onnx/proto.js'
export {
  INPUT_NAME,
  exportLinearClassifier,
  exportLinearRegressor,
  type ClassLabel,
  type LinearClassifierExport,
  type LinearRegressionExport,
} from './onnx/linear.js'
export {
  exportTreeEnsembleClassifier,
  exportTreeEnsembleRegressor,
  type TreeClassifierExport,
  type TreeNode,
  type TreeRegressorExport,
} from './onnx/trees.js'
export { LinearRegression, LogisticRegression, type LogisticRegressionOptions } from './learners/linear.js'
export {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  TreeEnsembleClassifier,
  TreeEnsembleRegressor,
  type ForestOptions,
  type TreeOptions,
} from './learners/trees.js'
export {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  type BoostingOptions,
} from './learners/boosting.js'
export type { Matrix } from './learners/common.js'
export {
  saveModel,
  type JsModelSource,
  type ModelSource,
  type OnnxModelSource,
  type SaveModelOptions,
} from './save-model.js'
export { LEARNER_MODULE, toJsModel, type Learner } from './learners/js-model.js'

/**
 * `cairn/serving`: serve a model inside your own program (docs/serving.md, "Serving from code").
 * `cairn serve` and `cairn server --serve` are built on the same engine.
 */
export {
  openServedModel,
  type PredictAnswer,
  type ScoreAnswer,
  type ServedModel,
  type ServedModelOptions,
} from './served-model.js'
export { startServe, type RunningServe } from './standalone.js'
export { resolveServeConfig, type ServeConfig, type ServeFlags } from './config.js'
export type { ModelRef, ModelSource } from './sources/model-source.js'

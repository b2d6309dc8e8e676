/**
 * Antidote's library API. Layers, bottom up: engine → data → models → attacks → defenses → eval → scan →
 * report. Federated aggregators are exported under the `federated` namespace (their names, such as
 * `median`, are too generic for the top level).
 */

export type { BackdoorOptions as BackdoorAttackOptions } from './attacks/index.js';
export * from './attacks/index.js';
export * from './data/index.js';
// Both layers name their options type BackdoorOptions: the attack's is `BackdoorAttackOptions` here.
export type { BackdoorOptions } from './defenses/detect/index.js';
export * from './defenses/detect/index.js';
export * as federated from './defenses/federated/index.js';
export { renderWeightDiff } from './defenses/integrity/diff-render.js';
export * from './defenses/integrity/index.js';
export {
  diffModelFiles,
  diffSnapshots,
  type TensorDiff,
  type WeightDiff,
} from './defenses/integrity/weight-diff.js';
export { Graph, type Parameter, Var } from './engine/autograd.js';
export * as kernels from './engine/kernels/index.js';
export { meanSquaredError, softmaxCrossEntropy } from './engine/losses.js';
export { INPUT_LAYER, Network } from './engine/network.js';
export { Adam, type AdamOptions, type Optimizer, Sgd, type SgdOptions } from './engine/optim.js';
export { PerExampleGradients } from './engine/per-example.js';
export { Rng } from './engine/rng.js';
export { sizeOf, type Tensor, tensor } from './engine/tensor.js';
export { type EpochProgress, type TrainResult, trainNetwork } from './engine/train.js';
export { attempt, InputError, type InputLocation, type Result, UsageError } from './errors.js';
export * from './eval/index.js';
export * as federatedSimulation from './federated/index.js';
export type { Architecture, LayerSpec, ModelSnapshot } from './models/architecture.js';
export {
  type Classifier,
  type ClassifierKind,
  classifierFromSnapshot,
  createClassifier,
  type FitOptions,
  NetworkClassifier,
} from './models/classifier.js';
export { alignToModel } from './models/compatibility.js';
export {
  ARCHITECTURE_FILE,
  expectedParameterShapes,
  layerOutputShapes,
  loadModel,
  saveModel,
  validateArchitecture,
  validateWeights,
  WEIGHTS_FILE,
} from './models/persistence.js';
export { importTfjsModel, parseTfjsManifest, readTfjsShards } from './models/tfjs.js';
export * from './registry/index.js';
export * from './report/index.js';
export type { Finding, FindingTarget, Report, Severity } from './report/types.js';
export * from './scan/index.js';
export { VERSION } from './version.js';

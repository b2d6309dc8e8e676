// The attack library's public API: every attack is a pure, seeded function returning its ground truth.
export { type AvailabilityOptions, availabilityPoisoning } from './availability.js';
export {
  type BackdoorOptions,
  backdoorTarget,
  plantBackdoor,
  type TriggeredSet,
  triggerTestSet,
} from './backdoor.js';
export { BIT_FIELD_RANGE, type BitField, type RandomBitFlipOptions, randomBitFlips } from './bit-flip.js';
export { type BitFlipSearchOptions, bitFlipSearch } from './bit-flip-search.js';
export {
  applyDatasetTruth,
  type BackdoorTarget,
  type DatasetAttackResult,
  type DatasetTruth,
  type InjectedSample,
  type SampleChange,
} from './dataset-truth.js';
export { type FeatureCollisionOptions, featureCollision } from './feature-collision.js';
export { type FeatureBox, featureBox, injectMislabeledDuplicates, injectRandomNoise } from './injection.js';
export { flipLabelsAdversarial, flipLabelsPair, flipLabelsUniform } from './label-flip.js';
export { type SparseBackdoorOptions, sparseBackdoor } from './sparse-backdoor.js';
export {
  applyTrigger,
  type BlendTrigger,
  blendTrigger,
  type ImageShape,
  type PatchTrigger,
  patchTrigger,
  type SignalTrigger,
  type TabularTrigger,
  type TriggerSpec,
  testTimeTrigger,
  validateTrigger,
} from './triggers.js';
export type { AttackResult, Budget, JsonValue } from './types.js';
export {
  gaussianNoiseUpdates,
  type MaliciousClients,
  scaleUpdates,
  signFlipUpdates,
} from './update-blind.js';
export { type DataDrivenOptions, dataDrivenUpdates } from './update-data-driven.js';
export {
  alieUpdates,
  type Deviation,
  type InformedAttackOptions,
  ipmUpdates,
  type MinMaxOptions,
  minMaxUpdates,
  minSumUpdates,
} from './update-informed.js';
export {
  applyUpdateTruth,
  decodeFloat32,
  encodeFloat32,
  type Knowledge,
  type UpdateAttackResult,
  type UpdateTruth,
} from './update-truth.js';
export { gaussianWeightNoise, type WeightNoiseOptions } from './weight-noise.js';
export {
  applyWeightTruth,
  type WeightAttackResult,
  type WeightChange,
  type WeightTruth,
} from './weight-truth.js';

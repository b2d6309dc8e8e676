export { type BucketingOptions, bucketing } from './bucketing.js';
export { type BulyanOptions, bulyan } from './bulyan.js';
export { type CenteredClippingOptions, centeredClipping } from './centered-clipping.js';
export {
  coordinateMedian,
  type MedianOptions,
  median,
  type TrimmedMeanOptions,
  trimmedMean,
} from './coordinate-wise.js';
export { squaredDistanceMatrix } from './distances.js';
export { type FedAvgOptions, fedAvg } from './fedavg.js';
export { type FlTrustOptions, flTrust } from './fltrust.js';
export {
  emptyFoolsGoldHistory,
  type FoolsGoldHistory,
  type FoolsGoldOptions,
  foolsGold,
  foolsGoldRound,
} from './foolsgold.js';
export { type GeometricMedianOptions, geometricMedian } from './geometric-median.js';
export {
  type CleanInputSpace,
  type CleanInputSpaceOptions,
  cleanInputSpace,
  type FirstLayer,
  offManifold,
} from './input-space.js';
export { type KrumOptions, krum, type MultiKrumOptions, multiKrum } from './krum.js';
export { type NormClippingOptions, normClipping } from './norm-clipping.js';
export {
  type AggregatorEntry,
  type AggregatorName,
  aggregatorByName,
  aggregatorNames,
  aggregators,
  defaultAggregator,
  recommendedAggregator,
} from './registry.js';
export {
  type ClientStanding,
  createReputation,
  type Quarantine,
  quarantinedClients,
  type ReputationOptions,
  type ReputationState,
  ReputationTracker,
  robustZScores,
  updateReputation,
} from './reputation.js';
export {
  type ScreenedMeanOptions,
  type ScreenedOut,
  type ScreeningSignal,
  screenedMean,
} from './screened-mean.js';
export type { Aggregate, AggregateContext, AggregateResult, ClientUpdate } from './types.js';
export { validateUpdates } from './validate.js';

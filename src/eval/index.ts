// Metrics shared by every layer above the models: classification under attack, and detection quality.
export {
  accuracy,
  accuracyDrop,
  argmaxRows,
  attackSuccessRate,
  type ClassMetrics,
  confusionMatrix,
  type DefenceOutcome,
  defenceEffectivenessRating,
  perClassMetrics,
  perRoundAccuracy,
  precisionRecall,
} from './classification.js';
export { auroc, type DetectionMetrics, detectionMetrics, maskFromIndices } from './detection.js';

export { type FlAttackName, flAttackNames } from './client-attacks.js';
export {
  cellText,
  type FederatedMatrix,
  judgeCell,
  MATRIX_GOAL,
  type MatrixCell,
  matrixAttackNames,
  matrixMarkdown,
  parseNameList,
  type RecommendedVerdict,
  recommendedSummary,
  runFederatedMatrix,
} from './matrix.js';
export { type PartitionKind, type PartitionOptions, partitionIndices } from './partition.js';
export {
  type ClientRecord,
  type RoundRecord,
  type SimulationOptions,
  type SimulationResult,
  simulateFederation,
} from './simulate.js';
export { firstDenseLayer, flattenWeights, withWeights } from './weights.js';

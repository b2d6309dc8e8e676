export {
  type BackdoorOptions,
  type BackdoorSummary,
  type ClassSpectrum,
  detectBackdoorPoisons,
} from './backdoor.js';
export { type ConfidentLearningResult, confidentLearning } from './confident-learning.js';
export { isolationForestScores } from './isolation-forest.js';
export { type NeighbourOptions, type Neighbours, nearestNeighbours } from './knn.js';
export { detectLabelIssues, type LabelIssueOptions } from './label-issues.js';
export { type OutOfFoldOptions, type OutOfFoldResult, outOfFoldProbabilities } from './out-of-fold.js';
export { detectOutliers, type OutlierOptions } from './outliers.js';
export {
  aggregateBySource,
  type SourceOptions,
  type SourceReport,
  type SourceStatistics,
} from './sources.js';
export { extractSourceColumn, type SourceColumn } from './sources-column.js';
export type { Detection } from './types.js';
export { type ValidationOptions, validateDataset } from './validation.js';

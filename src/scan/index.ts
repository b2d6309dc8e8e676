// The scan's public API: run every data detector over a dataset into one Report, decide, fix, and measure
// what the fix buys against a planted backdoor.
export {
  type BackdoorRemovalOptions,
  type BackdoorRemovalResult,
  evaluateBackdoorRemoval,
  type RemovalOutcome,
  type VictimOutcome,
  type VictimRecipe,
} from './backdoor-removal.js';
export { type FixOptions, type FixResult, fixDataset } from './fix.js';
export { loadScanInputs, type ScanInputOptions, type ScanInputs } from './load.js';
export { type ModelOutputOptions, type ModelOutputs, modelOutputs, withoutMissing } from './model-outputs.js';
export { DETECTORS, type DetectorName, runScan, type ScanOptions } from './run-scan.js';
export { imageShapeOf } from './sections.js';
export { decideVerdict, exitCodeFor, type Verdict, type VerdictOptions } from './verdict.js';

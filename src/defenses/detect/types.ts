import type { Finding } from '../../report/types.js';

/**
 * What every per-sample detector returns (ARCHITECTURE.md `Detection`). Detectors take model outputs
 * (probabilities, embeddings), not models, where they can.
 */
export interface Detection {
  /** Rule id prefix of this detector's findings, e.g. `label-issue`. */
  detector: string;
  /** Per-sample suspicion in [0, 1]; 1 = most suspicious. Length n. */
  scores: Float32Array;
  /** 1 where the detector flags the sample. Length n. */
  flagged: Uint8Array;
  /** One finding per flagged sample (and per class/dataset-level observation), ranked by score. */
  findings: Finding[];
  /** Detector-level numbers for the report (e.g. estimated poison count, target class, thresholds). */
  summary: Record<string, unknown>;
  /** Wall-clock seconds the detector took (filled by the scan orchestrator if the detector does not). */
  seconds?: number;
}

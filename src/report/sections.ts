/**
 * The sections a scan report carries for its renderers (Report.sections): plot data and per-detector
 * summaries. Everything a renderer shows comes from the Report, so a saved JSON report renders the same.
 */

/** Counts of per-sample scores in equal-width bins over [0, 1]. */
export interface ScoreHistogram {
  detector: string;
  counts: number[];
  flagged: number;
}

export interface ClassCounts {
  classes: string[];
  counts: number[];
  /** Samples of each class flagged at severity ≥ medium by any detector. */
  flagged: number[];
  /** Samples of each class in the reference, when one was given. */
  reference?: number[];
}

/** A grayscale image of a suspicious sample: row-major bytes, 0 = the data's minimum, 255 its maximum. */
export interface Thumbnail {
  sample: string;
  line?: number;
  label: string;
  width: number;
  height: number;
  /** base64 of width × height bytes. */
  pixels: string;
  /** The rule and severity of the sample's worst finding. */
  ruleId: string;
  severity: string;
}

export interface SourceRow {
  source: string;
  samples: number;
  flagged: number;
  rate: number;
  restRate: number;
  adjustedPValue: number;
  suspicious: boolean;
}

export interface ScanSections {
  dataset: { samples: number; features: number; classes: number; shape: number[]; image?: number[] };
  detectors: Record<
    string,
    { seconds: number; flagged: number; findings: number; summary: Record<string, unknown> }
  >;
  histograms: ScoreHistogram[];
  classCounts: ClassCounts;
  thumbnails: Thumbnail[];
  sources?: SourceRow[];
  verdict: { reason: string; failOn?: string };
}

/** The scan sections of a report, if it has them (reports of other commands may not). */
export function scanSections(sections: Record<string, unknown> | undefined): Partial<ScanSections> {
  return (sections ?? {}) as Partial<ScanSections>;
}

/**
 * Builds the report sections the renderers draw: score histograms per detector, per-class counts, and
 * grayscale thumbnails of the most suspicious samples when the data are images.
 */
import type { Dataset } from '../data/dataset.js';
import type { Detection } from '../defenses/detect/types.js';
import type { ClassCounts, ScoreHistogram, Thumbnail } from '../report/sections.js';
import { type Finding, severityRank } from '../report/types.js';

const HISTOGRAM_BINS = 20;
const THUMBNAILS = 16;

export function scoreHistograms(detections: readonly Detection[]): ScoreHistogram[] {
  return detections.map((detection) => {
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const s of detection.scores) {
      if (Number.isFinite(s))
        counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(s * HISTOGRAM_BINS)))]++;
    }
    return { detector: detection.detector, counts, flagged: detection.flagged.reduce((a, b) => a + b, 0) };
  });
}

export function classCounts(dataset: Dataset, flagged: Uint8Array, reference?: Dataset): ClassCounts {
  const k = dataset.numClasses;
  const classes = Array.from({ length: k }, (_, c) => dataset.classNames?.[c] ?? String(c));
  const counts = new Array<number>(k).fill(0);
  const flaggedCounts = new Array<number>(k).fill(0);
  dataset.y.forEach((c, i) => {
    counts[c]++;
    flaggedCounts[c] += flagged[i];
  });
  const result: ClassCounts = { classes, counts, flagged: flaggedCounts };
  if (reference !== undefined) {
    const referenceNames = Array.from(
      { length: reference.numClasses },
      (_, c) => reference.classNames?.[c] ?? String(c),
    );
    const byName = new Map(classes.map((name, c) => [name, c]));
    const referenceCounts = new Array<number>(k).fill(0);
    for (const c of reference.y) {
      const mapped = byName.get(referenceNames[c]);
      if (mapped !== undefined) referenceCounts[mapped]++;
    }
    result.reference = referenceCounts;
  }
  return result;
}

/**
 * [channels, height, width] when the samples are images: a 4-D x, or square rows of ≥ 16 values whose
 * features are unnamed or named like pixels (digits' pixel_r_c, MNIST CSVs' 1x1 … 28x28 or pixel12).
 */
export function imageShapeOf(dataset: Dataset): [number, number, number] | undefined {
  const shape = dataset.x.shape;
  if (shape.length === 4) return [shape[1], shape[2], shape[3]];
  if (shape.length === 3) return [1, shape[1], shape[2]];
  const d = shape[1] ?? 0;
  const side = Math.round(Math.sqrt(d));
  if (d < 16 || side * side !== d || (dataset.encodings?.length ?? 0) > 0) return undefined;
  const names = dataset.featureNames;
  const pixelLike =
    names === undefined || names.every((name) => /pixel|^px|^\d+x\d+$|^x\[\d+\]$/i.test(name));
  return pixelLike ? [1, side, side] : undefined;
}

/** Thumbnails of the samples with the worst findings (by severity, then score), one per sample. */
export function thumbnails(
  dataset: Dataset,
  findings: readonly Finding[],
  shape: [number, number, number],
): Thumbnail[] {
  const [channels, height, width] = shape;
  const plane = height * width;
  const x = dataset.x.data;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const span = high > low ? high - low : 1;
  const chosen = new Map<number, Finding>();
  const ranked = findings
    .filter((f) => f.target.kind === 'sample')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.score - a.score);
  for (const finding of ranked) {
    const i = Number(finding.target.id);
    if (!chosen.has(i)) chosen.set(i, finding);
    if (chosen.size === THUMBNAILS) break;
  }
  return [...chosen].map(([i, finding]) => {
    const bytes = new Uint8Array(plane);
    const offset = i * channels * plane;
    for (let p = 0; p < plane; p++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += x[offset + c * plane + p];
      const v = (sum / channels - low) / span;
      bytes[p] = Number.isFinite(v) ? Math.round(255 * Math.min(1, Math.max(0, v))) : 0;
    }
    const thumbnail: Thumbnail = {
      sample: String(i),
      label: dataset.classNames?.[dataset.y[i]] ?? String(dataset.y[i]),
      width,
      height,
      pixels: Buffer.from(bytes).toString('base64'),
      ruleId: finding.ruleId,
      severity: finding.severity,
    };
    if (finding.target.line !== undefined) thumbnail.line = finding.target.line;
    return thumbnail;
  });
}

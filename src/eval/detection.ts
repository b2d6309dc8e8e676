/**
 * How well a detector found the poison: precision, recall and F1 of its flags, and AUROC of its scores,
 * against an attack's ground truth (`AttackResult.poisoned`, turned into a mask with `maskFromIndices`).
 */
import { InputError } from '../errors.js';
import { type ClassMetrics, precisionRecall, sameLength } from './classification.js';

export interface DetectionMetrics extends ClassMetrics {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/** A 0/1 mask of length n with ones at `indices` (e.g. the poisoned samples of an attack). */
export function maskFromIndices(indices: ArrayLike<number>, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) {
      throw new InputError(`index ${i} is outside [0, ${n})`, { field: 'indices' });
    }
    mask[i] = 1;
  }
  return mask;
}

/** Confusion counts and precision/recall/F1 of `flagged` (nonzero = flagged) against `truth` (nonzero = poisoned). */
export function detectionMetrics(flagged: ArrayLike<number>, truth: ArrayLike<number>): DetectionMetrics {
  sameLength(flagged, truth, 'truth');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (flagged[i] && truth[i]) tp++;
    else if (flagged[i]) fp++;
    else if (truth[i]) fn++;
  }
  return {
    ...precisionRecall(tp, fp, fn),
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: truth.length - tp - fp - fn,
  };
}

/**
 * Area under the ROC curve of `scores` (higher = more suspicious) for finding the positives of `truth`:
 * the probability that a random positive scores above a random negative, ties counting one half
 * (Mann–Whitney U with mid-ranks; Hanley & McNeil 1982). NaN when either class is empty.
 */
export function auroc(scores: ArrayLike<number>, truth: ArrayLike<number>): number {
  sameLength(scores, truth, 'truth');
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new InputError('score is NaN', { row: i + 1, field: 'scores' });
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const midRank = (start + 1 + end) / 2; // 1-based ranks start+1 … end share their mean
    for (let k = start; k < end; k++) {
      if (truth[order[k]]) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

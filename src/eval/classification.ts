/**
 * Metrics of a classifier under attack: clean accuracy, attack success rate, accuracy drop, BackdoorBench's
 * defence-effectiveness rating, per-round accuracy of a federated run, confusion matrix and per-class
 * precision/recall. All take predicted labels (or probabilities) — never a model.
 */
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';

/** The predicted class of each row of a probability (or logit) tensor [n, K]; ties go to the lowest class. */
export function argmaxRows(scores: Tensor): Int32Array {
  if (scores.shape.length !== 2) throw new InputError(`expected scores [n, K], got [${scores.shape}]`);
  const [n, k] = scores.shape;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores.data[i * k + c] > scores.data[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of predictions equal to the labels. NaN for an empty set. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  sameLength(predictions, labels, 'labels');
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

/**
 * Attack success rate: the fraction of triggered inputs whose true class differs from their target that are
 * classified as the target. Inputs already of the target class do not count (they say nothing about the
 * backdoor). NaN when no input counts.
 */
export function attackSuccessRate(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
  trueLabels: ArrayLike<number>,
): number {
  sameLength(predictions, targets, 'targets');
  sameLength(predictions, trueLabels, 'trueLabels');
  let counted = 0;
  let hits = 0;
  for (let i = 0; i < predictions.length; i++) {
    if (trueLabels[i] === targets[i]) continue;
    counted++;
    if (predictions[i] === targets[i]) hits++;
  }
  return hits / counted;
}

/** Accuracy lost by the attacked (or defended) model relative to the clean one, in accuracy units. */
export function accuracyDrop(cleanAccuracy: number, attackedAccuracy: number): number {
  return cleanAccuracy - attackedAccuracy;
}

export interface DefenceOutcome {
  /** Clean accuracy and ASR of the backdoored model without the defence… */
  accuracyBefore: number;
  asrBefore: number;
  /** …and with it. */
  accuracyAfter: number;
  asrAfter: number;
}

/**
 * Defence effectiveness rating of BackdoorBench (Wu et al. 2022, "BackdoorBench: a comprehensive benchmark
 * of backdoor learning"): DER = [max(0, ΔASR) − max(0, ΔACC) + 1] / 2 with ΔASR = ASR before − after and
 * ΔACC = accuracy before − after. In [0, 1]: 1 removes the backdoor at no cost, 0.5 does nothing.
 */
export function defenceEffectivenessRating(o: DefenceOutcome): number {
  const asrGain = Math.max(0, o.asrBefore - o.asrAfter);
  const accuracyCost = Math.max(0, o.accuracyBefore - o.accuracyAfter);
  return (asrGain - accuracyCost + 1) / 2;
}

/** Test accuracy of the global model after each round of a federated run, from its predictions per round. */
export function perRoundAccuracy(
  predictionsPerRound: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
): number[] {
  return predictionsPerRound.map((predictions) => accuracy(predictions, labels));
}

/** counts[trueClass][predictedClass]. */
export function confusionMatrix(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  sameLength(predictions, labels, 'labels');
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [t, p] = [labels[i], predictions[i]];
    if (
      !(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))
    ) {
      throw new InputError(`class ${t >= 0 && t < numClasses ? p : t} is outside [0, ${numClasses})`, {
        row: i + 1,
      });
    }
    counts[t][p]++;
  }
  return counts;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Samples truly of this class. */
  support: number;
}

/** Precision, recall and F1 of every class from a confusion matrix; NaN where a ratio is 0/0. */
export function perClassMetrics(confusion: number[][]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[c], 0);
    return precisionRecall(tp, predicted - tp, support - tp, support);
  });
}

/** Precision, recall and F1 from true positives, false positives and false negatives (NaN for 0/0). */
export function precisionRecall(tp: number, fp: number, fn: number, support = tp + fn): ClassMetrics {
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  const f1 =
    tp === 0 ? (tp + fp + fn === 0 ? Number.NaN : 0) : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support };
}

export function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, field: string): void {
  if (a.length !== b.length) {
    throw new InputError(`${field} has ${b.length} entries, expected ${a.length}`, { field });
  }
}

import { z } from 'zod';
import { type CoordinateReduction, reduceCoordinates } from '../../engine/kernels/index.js';
import { byzantineCount, parseOptions } from './options.js';
import { byClient } from './rows.js';
import type { Aggregate, AggregateResult, ClientUpdate } from './types.js';
import { requireClients, validateUpdates } from './validate.js';

export const medianOptions = z.strictObject({
  /** Optional: when given, the rule checks its breakdown bound n ≥ 2f + 1. */
  f: byzantineCount.optional(),
});
export type MedianOptions = z.input<typeof medianOptions>;

export const trimmedMeanOptions = z.strictObject({
  /** Values dropped at each end of every coordinate (Yin et al.'s β·n). */
  f: byzantineCount,
});
export type TrimmedMeanOptions = z.input<typeof trimmedMeanOptions>;

/**
 * Coordinate-wise median (Yin, Chen, Ramchandran & Bartlett 2018, "Byzantine-robust distributed learning:
 * towards optimal statistical rates"): each coordinate of the result is the median of that coordinate over
 * the clients (the mean of the two middle values when n is even). Robust while fewer than half the clients
 * are
 * Byzantine. Weights are ignored: a client controls the weight it reports.
 * Scores: Euclidean distance to the result. Every client is accepted (no client is dropped as a whole).
 */
export function median(options: MedianOptions = {}): Aggregate {
  const { f } = parseOptions('median', medianOptions, options);
  return (updates) => {
    validateUpdates('median', updates);
    if (f !== undefined) requireClients('median', updates.length, f, '2f + 1', 2 * f + 1);
    return coordinateWise('median', updates, { kind: 'median' });
  };
}

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): for each coordinate, drop the f largest and f smallest
 * values and average the remaining n − 2f. Precondition n ≥ 2f + 1. Weights are ignored.
 * Scores: Euclidean distance to the result. Every client is accepted (trimming is per coordinate).
 */
export function trimmedMean(options: TrimmedMeanOptions): Aggregate {
  const { f } = parseOptions('trimmed-mean', trimmedMeanOptions, options);
  return (updates) => {
    validateUpdates('trimmed-mean', updates);
    requireClients('trimmed-mean', updates.length, f, '2f + 1', 2 * f + 1);
    return { ...coordinateWise('trimmed-mean', updates, { kind: 'trimmed-mean', trim: f }), info: { f } };
  };
}

/** The coordinate-wise median of the rows (no validation). */
export function coordinateMedian(rows: readonly Float32Array[]): Float32Array {
  return reduceCoordinates(rows, { kind: 'median' }).result;
}

function coordinateWise(
  rule: string,
  updates: readonly ClientUpdate[],
  reduction: CoordinateReduction,
): AggregateResult {
  const rows = updates.map((u) => u.update);
  const { result, squaredDistances } = reduceCoordinates(rows, reduction, { withDistances: true });
  const ids = updates.map((u) => u.id);
  return { rule, update: result, accepted: ids, scores: byClient(ids, squaredDistances!.map(Math.sqrt)) };
}

/** Robust one-dimensional statistics for turning raw detector scores into comparable, thresholdable ones. */

export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  return m % 2 === 1 ? sorted[(m - 1) >> 1] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
}

/**
 * (v − median) / (1.4826 · MAD): a z-score that a minority of extreme values cannot drag (the factor makes
 * the MAD estimate σ for normal data). A zero MAD falls back to the mean absolute deviation, then to 1.
 */
export function robustZ(values: ArrayLike<number>): Float64Array {
  const center = median(values);
  const deviations = Float64Array.from(values, (v) => Math.abs(v - center));
  let scale = 1.4826 * median(deviations);
  if (!(scale > 0)) scale = deviations.reduce((a, b) => a + b, 0) / Math.max(1, deviations.length);
  if (!(scale > 0)) scale = 1;
  return Float64Array.from(values, (v) => (v - center) / scale);
}

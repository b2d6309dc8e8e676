import { medianOf } from './rows.js';

const MAD_TO_SIGMA = 1.4826;
const MEAN_DEVIATION_TO_SIGMA = 1.2533;

/**
 * Robust z-scores (v − median) / (1.4826·MAD): how many standard deviations each value lies from the
 * typical one, with the spread measured so that a minority of outliers cannot inflate it. When more than
 * half the values are equal (MAD = 0) the mean absolute deviation from the median is the scale; when every
 * value is equal, every z is 0.
 */
export function robustZ(values: ArrayLike<number>): Float64Array {
  const all = Array.from(values);
  const centre = medianOf(all);
  const deviations = all.map((v) => Math.abs(v - centre));
  let scale = MAD_TO_SIGMA * medianOf(deviations);
  if (scale === 0) scale = (MEAN_DEVIATION_TO_SIGMA * deviations.reduce((a, b) => a + b, 0)) / all.length;
  return Float64Array.from(all, (v) => (scale > 0 ? (v - centre) / scale : 0));
}

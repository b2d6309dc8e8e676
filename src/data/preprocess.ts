/** Feature preprocessing: per-feature standardisation fitted on training data, and image reshaping. */
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** Per-feature mean and standard deviation (the shape `Architecture.standardization` stores). */
export interface Standardization {
  mean: number[];
  std: number[];
}

/**
 * Mean and population standard deviation of every feature of `train` (NaN cells are skipped). A feature
 * with zero variance gets std 1, so standardising maps it to 0 instead of dividing by zero.
 *
 * With `scope: 'global'`, one mean and one deviation over all the values, repeated for every feature: the
 * right scaling for pixels. Per-feature statistics would divide a nearly constant border pixel by a tiny
 * deviation, so a small change there (a blended trigger, noise) becomes tens of deviations and swamps the
 * image.
 */
export function fitStandardization(
  train: Dataset,
  { scope = 'features' }: { scope?: 'features' | 'global' } = {},
): Standardization {
  const n = train.y.length;
  const d = n === 0 ? 0 : train.x.data.length / n;
  if (scope === 'features') return columnStatistics(train.x.data, n, d);
  // The same statistics as for one column holding every value.
  const { mean, std } = columnStatistics(train.x.data, n * d, 1);
  return { mean: new Array(d).fill(mean[0]), std: new Array(d).fill(std[0]) };
}

/** Mean and population standard deviation of each column of x (rows × d), NaN skipped; 0 spread → std 1. */
function columnStatistics(x: ArrayLike<number>, rows: number, d: number): Standardization {
  const sum = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (Number.isNaN(v)) continue;
      sum[j] += v;
      count[j]++;
    }
  }
  const mean = Array.from(sum, (s, j) => (count[j] > 0 ? s / count[j] : 0));
  // Two passes (mean, then squared deviations) avoid the cancellation of the one-pass formula.
  const squares = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (!Number.isNaN(v)) squares[j] += (v - mean[j]) ** 2;
    }
  }
  const std = Array.from(squares, (s, j) => {
    const sd = count[j] > 0 ? Math.sqrt(s / count[j]) : 0;
    return sd > 1e-12 * Math.max(1, Math.abs(mean[j])) ? sd : 1;
  });
  return { mean, std };
}

/** (x − mean) / std per feature; everything but `x` is shared with the input. */
export function standardize(dataset: Dataset, stats: Standardization): Dataset {
  const n = dataset.y.length;
  const d = n === 0 ? stats.mean.length : dataset.x.data.length / n;
  if (d !== stats.mean.length) {
    throw new InputError(
      `the data has ${d} features but the standardisation was fitted on ${stats.mean.length}`,
    );
  }
  const x = new Float32Array(dataset.x.data.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    x[i] = (dataset.x.data[i] - stats.mean[j]) / stats.std[j];
  }
  return { ...dataset, x: { shape: dataset.x.shape, data: x } };
}

/** The dataset with each sample viewed as an image of shape [c, h, w] (data shared, not copied). */
export function asImages(dataset: Dataset, [c, h, w]: [number, number, number]): Dataset {
  const n = dataset.y.length;
  const size = n === 0 ? dataset.x.shape.slice(1).reduce((a, b) => a * b, 1) : dataset.x.data.length / n;
  if (![c, h, w].every((v) => Number.isInteger(v) && v > 0)) {
    throw new InputError(`image shape [${c}, ${h}, ${w}] must be positive integers`, { field: 'shape' });
  }
  if (c * h * w !== size) {
    throw new InputError(
      `image shape [${c}, ${h}, ${w}] holds ${c * h * w} values but each sample has ${size}`,
      {
        field: 'shape',
      },
    );
  }
  return { ...dataset, x: { shape: [n, c, h, w], data: dataset.x.data } };
}

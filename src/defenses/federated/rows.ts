/**
 * Vector arithmetic over the clients' update rows. Sums run in float64 and over blocks of coordinates, so the
 * accumulator stays in cache while every row streams through it once.
 */

const BLOCK = 4096;

/** Σ coefficients[i] · rows[i], as float32. Rows with coefficient 0 are skipped. */
export function weightedSum(
  rows: readonly Float32Array[],
  coefficients: ArrayLike<number>,
  d: number,
): Float32Array {
  const out = new Float32Array(d);
  const acc = new Float64Array(Math.min(BLOCK, d));
  for (let start = 0; start < d; start += BLOCK) {
    const width = Math.min(BLOCK, d - start);
    acc.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const c = coefficients[i];
      if (c === 0) continue;
      const row = rows[i];
      for (let j = 0; j < width; j++) acc[j] += c * row[start + j];
    }
    for (let j = 0; j < width; j++) out[start + j] = acc[j];
  }
  return out;
}

/** Euclidean length of `a`. */
export function norm(a: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * a[j];
  return Math.sqrt(s);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Squared Euclidean distance between `a` and `b`, exact up to float64 rounding of the sum. */
export function squaredDistance(a: Float32Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

/** Euclidean distance from every row to `point`. */
export function distancesTo(rows: readonly Float32Array[], point: ArrayLike<number>): Float64Array {
  return Float64Array.from(rows, (row) => Math.sqrt(squaredDistance(row, point)));
}

/** `{ [ids[i]]: values[i] }`, on a prototype-free object so that an id like `__proto__` is just a key. */
export function byClient(ids: readonly string[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (let i = 0; i < ids.length; i++) out[ids[i]] = values[i];
  return out;
}

/** The median of a few numbers (the mean of the middle two for an even count). */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

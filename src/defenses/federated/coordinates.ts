import { kernelInfo } from '../../engine/kernels/index.js';
import { coordinateKernels, REDUCTIONS, type Reduction } from './coordinate-kernels.js';
import { type CoordinateJob, CoordinatePool } from './coordinate-pool.js';

/** Below this many values (n·d) waking other threads costs more than it saves. */
const PARALLEL_MIN_VALUES = 1 << 21;
/** Thread shares start on multiples of this many coordinates. */
const SHARE_ALIGN = 64;

let pool: CoordinatePool | undefined;
let poolUnavailable = false;

export interface CoordinateReduction {
  /** The reduced value of every coordinate. */
  result: Float32Array;
  /** When asked for: each row's squared Euclidean distance to `result`. */
  squaredDistances: Float64Array | undefined;
}

/**
 * Reduces every coordinate across the rows: the median, the trimmed mean (`param` = f) or the mean of the
 * `param` values closest to the median. Large problems are split over the engine's thread count
 * (`setThreads`); the rows are then copied once into shared memory unless they already live there.
 */
export function reduceCoordinates(
  rows: readonly Float32Array[],
  d: number,
  reduction: Reduction,
  param: number,
  withDistances: boolean,
): CoordinateReduction {
  const kind = REDUCTIONS[reduction];
  const n = rows.length;
  const threads = Math.min(kernelInfo().threads, Math.ceil(d / SHARE_ALIGN));
  const workers = threads > 1 && n * d >= PARALLEL_MIN_VALUES ? poolOf(threads - 1) : undefined;
  if (workers === undefined) {
    const result = new Float32Array(d);
    const squaredDistances = withDistances ? new Float64Array(n) : undefined;
    coordinateKernels.reduceRange(kind, param, rows, 0, d, result, squaredDistances);
    return { result, squaredDistances };
  }
  const shared = sharedRows(rows, d);
  const out = new Float32Array(new SharedArrayBuffer(d * 4));
  const partial = withDistances ? new Float64Array(new SharedArrayBuffer(threads * n * 8)) : undefined;
  const share = Math.ceil(d / threads / SHARE_ALIGN) * SHARE_ALIGN;
  const jobs: CoordinateJob[] = [];
  for (let t = 0; t * share < d; t++) {
    const distances = partial?.subarray(t * n, (t + 1) * n);
    jobs.push({
      kind,
      param,
      rows: shared,
      from: t * share,
      to: Math.min(d, (t + 1) * share),
      out,
      distances,
    });
  }
  workers.run(jobs, (job) =>
    coordinateKernels.reduceRange(job.kind, job.param, job.rows, job.from, job.to, job.out, job.distances),
  );
  let squaredDistances: Float64Array | undefined;
  if (partial !== undefined) {
    squaredDistances = new Float64Array(n);
    for (let t = 0; t < jobs.length; t++)
      for (let i = 0; i < n; i++) squaredDistances[i] += partial[t * n + i];
  }
  return { result: new Float32Array(out), squaredDistances };
}

/** The rows as views of shared memory: as given when they already are, else packed into one shared copy. */
function sharedRows(rows: readonly Float32Array[], d: number): Float32Array[] {
  if (rows.every((row) => row.buffer instanceof SharedArrayBuffer)) return [...rows];
  const packed = new Float32Array(new SharedArrayBuffer(rows.length * d * 4));
  return rows.map((row, i) => {
    packed.set(row, i * d);
    return packed.subarray(i * d, (i + 1) * d);
  });
}

/** The pool with `size` workers, started on first use; undefined when worker threads cannot start here. */
function poolOf(size: number): CoordinatePool | undefined {
  if (poolUnavailable) return undefined;
  if (pool?.size !== size) {
    pool?.close();
    try {
      pool = new CoordinatePool(size);
    } catch {
      pool = undefined;
      poolUnavailable = true;
    }
  }
  return pool;
}

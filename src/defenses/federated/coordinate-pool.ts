import { SyncWorkerPool } from '../../engine/worker-pool.js';
import { COORDINATE_KERNELS_SOURCE } from './coordinate-kernels.js';

/** One thread's share of a coordinate-wise reduction; every array lives in shared memory. */
export interface CoordinateJob {
  kind: number;
  param: number;
  rows: Float32Array[];
  from: number;
  to: number;
  out: Float32Array;
  distances: Float64Array | undefined;
}

const MAX_WORKERS = 64;
const STARTUP_TIMEOUT_MS = 30_000;

// The job arrives on the port, which the worker reads synchronously after the main thread wakes it.
const workerBody = `
const { receiveMessageOnPort } = require('node:worker_threads');
${COORDINATE_KERNELS_SOURCE}
function setup(data, port) {
  return () => {
    const job = receiveMessageOnPort(port).message;
    reduceRange(job.kind, job.param, job.rows, job.from, job.to, job.out, job.distances);
  };
}
`;

/**
 * Worker threads for the coordinate-wise kernels, over the engine's synchronous worker pool: the caller hands
 * each worker a job, runs its own share, and sleeps in Atomics.wait until the workers are done. Workers are
 * unref'd, so an idle pool never keeps the process alive.
 */
export class CoordinatePool {
  readonly size: number;
  private readonly pool: SyncWorkerPool;

  /**
   * Starts `size` workers and waits until they run; throws if they do not (callers then stay
   * single-threaded).
   */
  constructor(size: number) {
    if (size > MAX_WORKERS) size = MAX_WORKERS;
    this.size = size;
    this.pool = new SyncWorkerPool({
      size,
      body: workerBody,
      name: 'coordinate',
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
  }

  /**
   * Runs `jobs[0]` with `runHere` on this thread and `jobs[1]`, `jobs[2]`, … on workers 1, 2, …; returns when all are
   * done.
   */
  run(jobs: readonly CoordinateJob[], runHere: (job: CoordinateJob) => void): void {
    if (jobs.length - 1 > this.size)
      throw new RangeError(`CoordinatePool: ${jobs.length} jobs for ${this.size + 1} threads`);
    for (let tid = 1; tid < jobs.length; tid++) this.pool.post(tid, jobs[tid]);
    this.pool.run(jobs.length, () => runHere(jobs[0]), 'coordinate kernel');
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  close(): void {
    this.pool.close();
  }
}

import { SyncWorkerPool } from '../worker-pool.js';
import type { WasmMemory, WasmModule } from './wasm-module.js';

// A pool of worker threads that run the kernels' exported functions on one shared WebAssembly memory, over the
// synchronous protocol of SyncWorkerPool. Each job is published in a shared parameter block:
//   slots 0-2 (Int32): JOB (index into the job names), ARGC, THREADS (threads on the job, the main thread included)
//   from byte 16: the job's arguments as float64 (pointers and sizes are exact in a double).
const JOB = 0;
const ARGC = 1;
const THREADS = 2;
const ARGS_OFFSET = 16;
const MAX_ARGS = 16;
const STARTUP_TIMEOUT_MS = 10_000;

// Each worker instantiates the module over the shared memory; a job calls the chosen export with the published
// arguments followed by (tid, threads).
const workerBody = `
function setup(data, port, tid) {
  const { module, memory, params, jobs } = data;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = jobs.map((name) => exports[name]);
  const slots = new Int32Array(params, 0, ${ARGS_OFFSET / 4});
  const args = new Float64Array(params, ${ARGS_OFFSET}, ${MAX_ARGS});
  return () => {
    const call = Array.from(args.subarray(0, slots[${ARGC}]));
    call.push(tid, slots[${THREADS}]);
    fns[slots[${JOB}]].apply(null, call);
  };
}
`;

type KernelFunction = (...args: number[]) => void;

export class ThreadPool {
  /** Worker count; a job runs on up to size + 1 threads. */
  readonly size: number;
  private readonly jobs: readonly string[];
  private readonly slots: Int32Array;
  private readonly args: Float64Array;
  private readonly pool: SyncWorkerPool;

  /**
   * Starts `size` workers, each instantiating `module` over `memory`, and waits until they are ready.
   * Throws if any fails to start (the caller then runs on the main thread alone).
   */
  constructor(module: WasmModule, memory: WasmMemory, jobs: readonly string[], size: number) {
    this.size = size;
    this.jobs = jobs;
    const params = new SharedArrayBuffer(ARGS_OFFSET + MAX_ARGS * 8);
    this.slots = new Int32Array(params, 0, ARGS_OFFSET / 4);
    this.args = new Float64Array(params, ARGS_OFFSET, MAX_ARGS);
    this.pool = new SyncWorkerPool({
      size,
      body: workerBody,
      data: { module, memory, params, jobs },
      name: 'kernel',
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
  }

  /** Runs `fn` (the main thread's instance of jobs[job]) on `threads` threads: tids 1… on workers, 0 here. */
  run(job: number, fn: KernelFunction, args: readonly number[], threads: number): void {
    if (threads > this.size + 1)
      throw new RangeError(`ThreadPool: ${threads} threads asked of a pool of ${this.size + 1}`);
    this.args.set(args);
    this.slots[JOB] = job;
    this.slots[ARGC] = args.length;
    this.slots[THREADS] = threads;
    this.pool.run(threads, () => fn(...args, 0, threads), `kernel ${this.jobs[job]}`);
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  close(): void {
    this.pool.close();
  }
}

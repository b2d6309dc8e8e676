import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
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

// Control block slots (Int32), each on its own 64-byte line: the workers still busy with the current job, the
// workers started, the jobs that threw, the stop flag, then one wake counter per worker.
const LINE = 16;
const PENDING = 0;
const READY = LINE;
const FAILED = 2 * LINE;
const STOP = 3 * LINE;
const wakeSlot = (worker: number): number => (4 + worker) * LINE;
const STARTUP_TIMEOUT_MS = 30_000;

// CommonJS, evaluated from this string. The job arrives on the port, which the worker reads synchronously
// after the main thread bumps its wake counter.
const workerSource = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
${COORDINATE_KERNELS_SOURCE}
const { control, port, wake } = workerData;
const ctl = new Int32Array(control);
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, wake, seen);
  const now = Atomics.load(ctl, wake);
  if (now === seen) continue;
  seen = now;
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  try {
    const job = receiveMessageOnPort(port).message;
    reduceRange(job.kind, job.param, job.rows, job.from, job.to, job.out, job.distances);
  } catch (error) {
    port.postMessage(String((error && error.stack) || error));
    Atomics.add(ctl, ${FAILED}, 1);
  }
  if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
}
`;

/**
 * Worker threads for the coordinate-wise kernels. Synchronous like the engine's kernel pool: the caller hands
 * each worker a job, runs its own share, and sleeps in Atomics.wait until the workers are done. Workers are
 * unref'd, so an idle pool never keeps the process alive.
 */
export class CoordinatePool {
  readonly size: number;
  private readonly control = new Int32Array(new SharedArrayBuffer((4 + 64) * LINE * 4));
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];

  /**
   * Starts `size` workers and waits until they run; throws if they do not (callers then stay
   * single-threaded).
   */
  constructor(size: number) {
    if (size > 64) size = 64;
    this.size = size;
    for (let w = 0; w < size; w++) {
      const { port1, port2 } = new MessageChannel();
      const workerData = { control: this.control.buffer, port: port2, wake: wakeSlot(w) };
      const worker = new Worker(workerSource, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    this.awaitStartup();
  }

  /**
   * Runs `jobs[0]` with `runHere` on this thread and the others on workers 0, 1, …; returns when all are
   * done.
   */
  run(jobs: readonly CoordinateJob[], runHere: (job: CoordinateJob) => void): void {
    const ctl = this.control;
    const remote = jobs.length - 1;
    if (remote > this.size)
      throw new RangeError(`CoordinatePool: ${jobs.length} jobs for ${this.size + 1} threads`);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, PENDING, remote);
    for (let w = 0; w < remote; w++) {
      this.ports[w].postMessage(jobs[w + 1]);
      Atomics.add(ctl, wakeSlot(w), 1);
      Atomics.notify(ctl, wakeSlot(w), 1);
    }
    let localError: unknown;
    try {
      runHere(jobs[0]);
    } catch (error) {
      localError = error;
    }
    for (let pending = Atomics.load(ctl, PENDING); pending !== 0; pending = Atomics.load(ctl, PENDING)) {
      Atomics.wait(ctl, PENDING, pending);
    }
    if (localError !== undefined) throw localError;
    if (Atomics.load(ctl, FAILED) !== 0) {
      throw new Error(`coordinate kernel failed in a worker thread: ${this.workerMessages().join('; ')}`);
    }
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  close(): void {
    Atomics.store(this.control, STOP, 1);
    for (let w = 0; w < this.size; w++) {
      Atomics.add(this.control, wakeSlot(w), 1);
      Atomics.notify(this.control, wakeSlot(w));
    }
    for (const port of this.ports) port.close();
  }

  private awaitStartup(): void {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (
      let ready = Atomics.load(this.control, READY);
      ready < this.size;
      ready = Atomics.load(this.control, READY)
    ) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.close();
        for (const worker of this.workers) void worker.terminate();
        throw new Error('coordinate worker threads did not start');
      }
      Atomics.wait(this.control, READY, ready, left);
    }
  }

  private workerMessages(): string[] {
    const messages: string[] = [];
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        messages.push(String(m.message));
      }
    }
    return messages;
  }
}

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './wasm-module.js';

// A pool of worker threads that run the kernels' exported functions on one shared WebAssembly memory.
// The API stays synchronous: the main thread publishes a job in a shared control block, wakes the workers
// it wants, runs its own share, and sleeps in Atomics.wait until the last worker is done.
//
// Control block, in 32-bit slots; each flag a thread waits on sits on its own 64-byte line:
//   line 0: PENDING, the workers still running the current job
//   line 1: STARTED (workers done starting, well or not), BROKEN (those that failed), FAILED (job errors), STOP,
//           JOB (index into the job names), ARGC, THREADS (threads on the job, the main thread included)
//   line 2 + w: worker w's wake counter, bumped to hand it a job
//   then the job's arguments as float64 (pointers and sizes are exact in a double).
const LINE = 16;
const PENDING = 0;
const STARTED = LINE;
const BROKEN = LINE + 1;
const FAILED = LINE + 2;
const STOP = LINE + 3;
const JOB = LINE + 4;
const ARGC = LINE + 5;
const THREADS = LINE + 6;
const MAX_ARGS = 16;
const STARTUP_TIMEOUT_MS = 10_000;

// Runs inside each worker (CommonJS, evaluated from this string so it works from sources and dist alike).
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, port, tid, jobs, layout } = workerData;
const ctl = new Int32Array(control);

function instantiate() {
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return jobs.map((name) => exports[name]);
  } catch (error) {
    port.postMessage(String(error));
    Atomics.add(ctl, layout.BROKEN, 1);
    Atomics.add(ctl, layout.STARTED, 1);
    Atomics.notify(ctl, layout.STARTED);
    return undefined;
  }
}

function serve(fns) {
  const args = new Float64Array(control, layout.argsOffset, layout.maxArgs);
  const wake = layout.wakeBase + tid * layout.line;
  Atomics.add(ctl, layout.STARTED, 1);
  Atomics.notify(ctl, layout.STARTED);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, wake, seen);
    const now = Atomics.load(ctl, wake);
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(ctl, layout.STOP) !== 0) return;
    const call = Array.from(args.subarray(0, ctl[layout.ARGC]));
    call.push(tid, ctl[layout.THREADS]);
    try {
      fns[ctl[layout.JOB]].apply(null, call);
    } catch (error) {
      port.postMessage(String(error && error.stack ? error.stack : error));
      Atomics.add(ctl, layout.FAILED, 1);
    }
    if (Atomics.sub(ctl, layout.PENDING, 1) === 1) Atomics.notify(ctl, layout.PENDING);
  }
}

const fns = instantiate();
if (fns !== undefined) serve(fns);
`;

type KernelFunction = (...args: number[]) => void;

export class ThreadPool {
  /** Worker count; a job runs on up to size + 1 threads. */
  readonly size: number;
  private readonly jobs: readonly string[];
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];

  /**
   * Starts `size` workers, each instantiating `module` over `memory`, and waits until they are ready.
   * Throws if any fails to start (the caller then runs on the main thread alone).
   */
  constructor(module: WasmModule, memory: WasmMemory, jobs: readonly string[], size: number) {
    this.size = size;
    this.jobs = jobs;
    const wakeBase = 2 * LINE;
    const argsOffset = (wakeBase + (size + 1) * LINE) * 4;
    const buffer = new SharedArrayBuffer(argsOffset + MAX_ARGS * 8);
    this.control = new Int32Array(buffer);
    this.args = new Float64Array(buffer, argsOffset, MAX_ARGS);
    const slots = { PENDING, STARTED, BROKEN, FAILED, STOP, JOB, ARGC, THREADS };
    const layout = { ...slots, line: LINE, wakeBase, argsOffset, maxArgs: MAX_ARGS };
    for (let tid = 1; tid <= size; tid++) {
      const { port1, port2 } = new MessageChannel();
      const workerData = { module, memory, control: buffer, port: port2, tid, jobs, layout };
      const worker = new Worker(workerSource, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    this.awaitStartup();
  }

  /** Runs `fn` (the main thread's instance of jobs[job]) on `threads` threads: tids 1… on workers, 0 here. */
  run(job: number, fn: KernelFunction, args: readonly number[], threads: number): void {
    const ctl = this.control;
    if (threads > this.size + 1)
      throw new RangeError(`ThreadPool: ${threads} threads asked of a pool of ${this.size + 1}`);
    this.args.set(args);
    ctl[JOB] = job;
    ctl[ARGC] = args.length;
    ctl[THREADS] = threads;
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, PENDING, threads - 1);
    for (let tid = 1; tid < threads; tid++) {
      Atomics.add(ctl, wakeSlot(tid), 1);
      Atomics.notify(ctl, wakeSlot(tid), 1);
    }
    let mainError: unknown;
    try {
      fn(...args, 0, threads);
    } catch (error) {
      mainError = error;
    }
    for (let pending = Atomics.load(ctl, PENDING); pending !== 0; pending = Atomics.load(ctl, PENDING)) {
      Atomics.wait(ctl, PENDING, pending);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.load(ctl, FAILED) !== 0) {
      throw new Error(
        `kernel ${this.jobs[job]} failed in a worker thread: ${this.workerMessages().join('; ')}`,
      );
    }
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  close(): void {
    Atomics.store(this.control, STOP, 1);
    for (let tid = 1; tid <= this.size; tid++) {
      Atomics.add(this.control, wakeSlot(tid), 1);
      Atomics.notify(this.control, wakeSlot(tid));
    }
    for (const port of this.ports) port.close();
  }

  private awaitStartup(): void {
    const ctl = this.control;
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (
      let started = Atomics.load(ctl, STARTED);
      started < this.size;
      started = Atomics.load(ctl, STARTED)
    ) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(ctl, STARTED, started, left);
    }
    if (Atomics.load(ctl, STARTED) !== this.size || Atomics.load(ctl, BROKEN) !== 0) {
      const reason = this.workerMessages().join('; ') || 'timed out';
      this.close();
      for (const worker of this.workers) void worker.terminate();
      throw new Error(`kernel worker threads did not start: ${reason}`);
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

function wakeSlot(tid: number): number {
  return (2 + tid) * LINE;
}

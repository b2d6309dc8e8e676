import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

// A synchronous pool of worker threads: the main thread wakes the workers it wants, runs its own share (thread
// 0), and sleeps in Atomics.wait until the last worker is done. Users supply the workers' code as a string.
//
// Control block, in 32-bit slots; each flag a thread waits on sits on its own 64-byte line:
//   line 0: PENDING, the workers still running the current job
//   line 1: STARTED (workers done starting, well or not), BROKEN (those that failed), FAILED (job errors), STOP
//   line 2 + tid: worker tid's wake counter (tid = 1 … size), bumped to hand it a job
const LINE = 16;
const PENDING = 0;
const STARTED = LINE;
const BROKEN = LINE + 1;
const FAILED = LINE + 2;
const STOP = LINE + 3;
const wakeSlot = (tid: number): number => (2 + tid) * LINE;

// Runs inside each worker (CommonJS, evaluated from this string so it works from sources and dist alike). The
// body is evaluated in its own scope and must define `function setup(data, port, tid)`, returning the function
// each job calls on this worker; if setup throws, the worker reports the error and counts as broken.
const harness = (body: string): string => `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const setup = (() => {
${body}
return setup;
})();
const { control, port, tid, data } = workerData;
const ctl = new Int32Array(control);

function start() {
  try {
    return setup(data, port, tid);
  } catch (error) {
    port.postMessage(String(error));
    Atomics.add(ctl, ${BROKEN}, 1);
    Atomics.add(ctl, ${STARTED}, 1);
    Atomics.notify(ctl, ${STARTED});
    return undefined;
  }
}

function serve(job) {
  const wake = ${2 * LINE} + tid * ${LINE};
  Atomics.add(ctl, ${STARTED}, 1);
  Atomics.notify(ctl, ${STARTED});
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, wake, seen);
    const now = Atomics.load(ctl, wake);
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(ctl, ${STOP}) !== 0) return;
    try {
      job();
    } catch (error) {
      port.postMessage(String(error && error.stack ? error.stack : error));
      Atomics.add(ctl, ${FAILED}, 1);
    }
    if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
  }
}

const job = start();
if (job !== undefined) serve(job);
`;

export interface SyncWorkerPoolOptions {
  /** Worker count; a job runs on up to size + 1 threads. */
  size: number;
  /** The workers' code: CommonJS source defining `function setup(data, port, tid)` (see above). */
  body: string;
  /** Passed to every worker's setup (structured-cloned; shared buffers and memories stay shared). */
  data?: unknown;
  /** What the workers are, for error messages: "<name> worker threads did not start: …". */
  name: string;
  startupTimeoutMs: number;
}

/**
 * Worker threads driven synchronously through a shared control block. Workers are unref'd, so an idle pool never
 * keeps the process alive.
 */
export class SyncWorkerPool {
  /** Worker count; a job runs on up to size + 1 threads. */
  readonly size: number;
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];

  /** Starts the workers and waits until they are ready; throws, with the workers' reasons, if any is not. */
  constructor(options: SyncWorkerPoolOptions) {
    const { size, data } = options;
    this.size = size;
    this.control = new Int32Array(new SharedArrayBuffer(wakeSlot(size + 1) * 4));
    const source = harness(options.body);
    for (let tid = 1; tid <= size; tid++) {
      const { port1, port2 } = new MessageChannel();
      const workerData = { control: this.control.buffer, port: port2, tid, data };
      const worker = new Worker(source, { eval: true, workerData, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    this.awaitStartup(options.name, options.startupTimeoutMs);
  }

  /** Sends `message` to worker `tid` (1 … size), for its next job to read with receiveMessageOnPort. */
  post(tid: number, message: unknown): void {
    this.ports[tid - 1].postMessage(message);
  }

  /**
   * Runs a job on `threads` threads: workers 1 … threads - 1, and `runHere` on this thread; returns when all
   * are done. A worker's error is rethrown here as "<what> failed in a worker thread: …".
   */
  run(threads: number, runHere: () => void, what: string): void {
    const ctl = this.control;
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, PENDING, threads - 1);
    for (let tid = 1; tid < threads; tid++) {
      Atomics.add(ctl, wakeSlot(tid), 1);
      Atomics.notify(ctl, wakeSlot(tid), 1);
    }
    let localError: unknown;
    try {
      runHere();
    } catch (error) {
      localError = error;
    }
    for (let pending = Atomics.load(ctl, PENDING); pending !== 0; pending = Atomics.load(ctl, PENDING)) {
      Atomics.wait(ctl, PENDING, pending);
    }
    if (localError !== undefined) throw localError;
    if (Atomics.load(ctl, FAILED) !== 0) {
      throw new Error(`${what} failed in a worker thread: ${this.workerMessages().join('; ')}`);
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

  private awaitStartup(name: string, timeoutMs: number): void {
    const ctl = this.control;
    const deadline = Date.now() + timeoutMs;
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
      throw new Error(`${name} worker threads did not start: ${reason}`);
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

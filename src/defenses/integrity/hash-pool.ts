/**
 * SHA-256 of byte ranges of files, spread over worker threads. Each worker owns one reusable read buffer
 * and reads its ranges with positioned `fs.readSync` calls, so memory stays constant whatever the file
 * sizes, and each range is hashed on its own core. This is what makes the sharded serialisation of the
 * OpenSSF model signing format fast: its shards are independent digests. A whole-file digest is one range
 * and so runs on one core. Small jobs are hashed on the calling thread: starting a worker costs more.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors.js';

/** Bytes [start, end) of a file. */
export interface ByteRange {
  path: string;
  start: number;
  end: number;
  /** The range is the whole file: a file that has grown since its size was taken is an error too. */
  wholeFile?: boolean;
}

export interface HashPoolOptions {
  /** Worker threads to use; default: the number of cores. Never more than there are ranges. */
  threads?: number;
  /** Bytes read per `fs.readSync` call (default 4 MiB). */
  chunkSize?: number;
  signal?: AbortSignal;
}

const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** Below this many bytes in all, hashing on the calling thread beats starting workers. */
const INLINE_LIMIT = 16 * 1024 * 1024;

type RangeOutcome = { digest: string } | { error: string };

/**
 * Hashes one range. Workers run this function from its source text, so it uses nothing from its module:
 * the `fs` and `crypto` modules come in as arguments (and it declares no inner functions, whose compiled
 * form could call bundler helpers that a worker does not have).
 */
function hashRangeSync(
  fsModule: typeof fs,
  cryptoModule: typeof crypto,
  range: ByteRange,
  buffer: Buffer,
): RangeOutcome {
  let fd: number | undefined;
  try {
    fd = fsModule.openSync(range.path, 'r');
    const hash = cryptoModule.createHash('sha256');
    let position = range.start;
    while (position < range.end) {
      const n = fsModule.readSync(fd, buffer, 0, Math.min(buffer.length, range.end - position), position);
      if (n === 0) {
        return { error: `file ended at byte ${position}, expected ${range.end} (changed while hashing?)` };
      }
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      position += n;
    }
    if (range.wholeFile === true && fsModule.readSync(fd, buffer, 0, 1, range.end) > 0) {
      return { error: `file grew past ${range.end} bytes while hashing` };
    }
    return { digest: hash.digest('hex') };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    if (fd !== undefined) fsModule.closeSync(fd);
  }
}

// Plain CommonJS so that `eval: true` runs it unchanged from the TypeScript sources and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hashRangeSync = ${hashRangeSync.toString()};
const buffer = Buffer.allocUnsafe(workerData.chunkSize);
parentPort.on('message', ({ id, range }) => {
  parentPort.postMessage({ id, outcome: hashRangeSync(require('node:fs'), require('node:crypto'), range, buffer) });
});
`;

/**
 * Hashes every range and returns the hex digests in the order of `ranges`. Ranges are handed out largest
 * first so that the threads finish together. A file that cannot be read, or that is not as long as its
 * range says, is an InputError naming the file.
 */
export async function hashByteRanges(
  ranges: readonly ByteRange[],
  options: HashPoolOptions = {},
): Promise<string[]> {
  options.signal?.throwIfAborted();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const totalBytes = ranges.reduce((sum, range) => sum + (range.end - range.start), 0);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), ranges.length));
  const outcomes =
    totalBytes <= INLINE_LIMIT
      ? hashInline(ranges, chunkSize)
      : await hashInWorkers(ranges, threads, chunkSize, options.signal);
  // Workers stop at the first failure, so later outcomes may be missing.
  const failed = outcomes.findIndex((outcome) => outcome !== undefined && 'error' in outcome);
  if (failed >= 0) {
    throw new InputError(`cannot hash: ${(outcomes[failed] as { error: string }).error}`, {
      file: ranges[failed].path,
    });
  }
  return outcomes.map((outcome) => (outcome as { digest: string }).digest);
}

function hashInline(ranges: readonly ByteRange[], chunkSize: number): RangeOutcome[] {
  const buffer = Buffer.allocUnsafe(Math.min(chunkSize, INLINE_LIMIT));
  return ranges.map((range) => hashRangeSync(fs, crypto, range, buffer));
}

async function hashInWorkers(
  ranges: readonly ByteRange[],
  threads: number,
  chunkSize: number,
  signal: AbortSignal | undefined,
): Promise<RangeOutcome[]> {
  const order = ranges
    .map((range, id) => ({ id, size: range.end - range.start }))
    .sort((a, b) => b.size - a.size)
    .map(({ id }) => id);
  const outcomes: RangeOutcome[] = new Array(ranges.length);
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { chunkSize } }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const dispatch = (worker: Worker): void => {
        if (next < order.length) {
          const id = order[next++];
          worker.postMessage({ id, range: ranges[id] });
        }
      };
      for (const worker of workers) {
        worker.on('message', ({ id, outcome }: { id: number; outcome: RangeOutcome }) => {
          outcomes[id] = outcome;
          if ('error' in outcome) settle();
          else if (++done === ranges.length) settle();
          else dispatch(worker);
        });
        worker.on('error', settle);
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return outcomes;
}

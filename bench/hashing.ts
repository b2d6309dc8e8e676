/**
 * Hashing throughput on a 2 GB temporary file (made here, removed afterwards), in GB/s (10^9 bytes/s).
 * Two different digests are measured, and they are not interchangeable:
 * - whole-file SHA-256 (coreutils `sha256sum`, and our `sha256File`): the digest the 'files' serialisation
 *   records; one sequential stream, so one core;
 * - sharded SHA-256 (`sha256FileShards`): one digest per shard, hashed on all cores; what the 'shards'
 *   serialisation records. It is not a digest of the whole file.
 * The file sits in the page cache (each method runs once to warm up, then 3 times; the median is shown), so
 * this measures hashing, not the disk. For scale: the OpenSSF model signing tool was measured at about
 * 0.11 GB/s on 2 vCPUs.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SHARD_SIZE, sha256File, sha256FileShards } from '../src/defenses/integrity/hashing.js';
import { printTable } from './table.js';

const FILE_BYTES = 2_000_000_000;
const RUNS = 3;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'antidote-bench-hashing-'));
  try {
    const file = join(dir, 'model.bin');
    writeRandomFile(file, FILE_BYTES);
    const threads = availableParallelism();
    const methods: { name: string; digest: string; threads: number; hash: () => Promise<string> }[] = [
      { name: 'coreutils sha256sum', digest: 'whole file', threads: 1, hash: async () => sha256sum(file) },
      { name: 'antidote sha256File', digest: 'whole file', threads: 1, hash: () => sha256File(file) },
      ...[DEFAULT_SHARD_SIZE, 250_000_000].map((shardSize) => ({
        name: `antidote sha256FileShards (${shardSize / 1e6} MB shards)`,
        digest: `${Math.ceil(FILE_BYTES / shardSize)} shard digests`,
        threads: Math.min(threads, Math.ceil(FILE_BYTES / shardSize)),
        hash: async () => (await sha256FileShards(file, shardSize)).map((s) => s.digest).join(),
      })),
    ];

    const rows: Record<string, string | number>[] = [];
    let baseline: number | undefined;
    let wholeFileDigest: string | undefined;
    for (const method of methods) {
      const digest = await method.hash(); // warm-up, and the digest to cross-check
      if (method.digest === 'whole file') {
        wholeFileDigest ??= digest;
        if (digest !== wholeFileDigest) throw new Error(`${method.name} disagrees with sha256sum: ${digest}`);
      }
      const seconds = median(await timeRuns(method.hash));
      const gbPerSecond = FILE_BYTES / 1e9 / seconds;
      baseline ??= gbPerSecond;
      rows.push({
        method: method.name,
        digest: method.digest,
        threads: method.threads,
        'median s': seconds,
        'GB/s': gbPerSecond,
        'vs sha256sum': `${(gbPerSecond / baseline).toFixed(2)}×`,
      });
    }
    printTable(`SHA-256 of a ${FILE_BYTES / 1e9} GB file (page cache warm, median of ${RUNS})`, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeRandomFile(path: string, bytes: number): void {
  const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const n = Math.min(chunk.length, bytes - written);
      randomFillSync(chunk, 0, n);
      written += writeSync(fd, chunk, 0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function sha256sum(path: string): string {
  const result = spawnSync('sha256sum', [path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sha256sum failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout.split(' ')[0];
}

async function timeRuns(hash: () => Promise<string>): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await hash();
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

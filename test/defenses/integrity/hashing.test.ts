import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashByteRanges } from '../../../src/defenses/integrity/hash-pool.js';
import { sha256File, sha256FileShards, shardsOf } from '../../../src/defenses/integrity/hashing.js';
import { Rng } from '../../../src/engine/rng.js';
import { InputError } from '../../../src/errors.js';
import { seededBytes, tempDir } from './helpers.js';

const dir = tempDir();
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function writeSeeded(name: string, seed: number, length: number): { path: string; bytes: Buffer } {
  const bytes = seededBytes(new Rng(seed), length);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('shardsOf', () => {
  it('tiles the file with shards of the given size, the last one shorter (known answers)', () => {
    expect(shardsOf(8, 8)).toEqual([{ start: 0, end: 8 }]);
    expect(shardsOf(9, 8)).toEqual([
      { start: 0, end: 8 },
      { start: 8, end: 9 },
    ]);
    expect(shardsOf(23, 8).map((s) => s.end)).toEqual([8, 16, 23]);
    expect(shardsOf(9, 2).map((s) => s.end)).toEqual([2, 4, 6, 8, 9]);
  });

  it('gives an empty file one empty shard, so that an added empty file is signed too', () => {
    expect(shardsOf(0, 1_000_000_000)).toEqual([{ start: 0, end: 0 }]);
  });

  it('rejects a shard size that is not a positive integer', () => {
    for (const size of [0, -8, 1.5, Number.NaN]) expect(() => shardsOf(10, size)).toThrow(InputError);
  });
});

describe('sha256File', () => {
  for (const seed of [1, 2, 3]) {
    for (const length of [0, 1, 4095, 4096, 4097, 100_000]) {
      it(`equals SHA-256 of the bytes read in 4 KiB chunks (seed ${seed}, ${length} bytes)`, async () => {
        const { path, bytes } = writeSeeded(`small-${seed}-${length}`, seed, length);
        expect(await sha256File(path, { chunkSize: 4096 })).toBe(sha256(bytes));
      });
    }
  }

  it('equals a known digest: SHA-256 of "abc"', async () => {
    const path = join(dir, 'abc');
    writeFileSync(path, 'abc');
    expect(await sha256File(path)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

// Above 16 MiB in all the work goes to worker threads; these files take that path.
describe('hashing in worker threads', () => {
  const big = writeSeeded('big', 7, 20 * 1024 * 1024 + 12345);

  it('gives the whole-file digest', async () => {
    expect(await sha256File(big.path, { chunkSize: 1 << 20 })).toBe(sha256(big.bytes));
  });

  for (const threads of [1, 2, 3]) {
    it(`gives every shard's own digest, in file order (${threads} threads)`, async () => {
      const shardSize = 3 * 1024 * 1024 + 1;
      const shards = await sha256FileShards(big.path, shardSize, { threads, chunkSize: 1 << 20 });
      expect(shards.map(({ start, end }) => ({ start, end }))).toEqual(shardsOf(big.bytes.length, shardSize));
      for (const { start, end, digest } of shards)
        expect(digest).toBe(sha256(big.bytes.subarray(start, end)));
    });
  }

  it('returns digests in the order of the ranges, whatever order they are hashed in', async () => {
    const rng = new Rng(11);
    const ranges = Array.from({ length: 25 }, () => {
      const start = rng.int(big.bytes.length);
      return { path: big.path, start, end: start + rng.int(big.bytes.length - start + 1) };
    });
    const digests = await hashByteRanges(ranges, { threads: 2 });
    expect(digests).toEqual(ranges.map(({ start, end }) => sha256(big.bytes.subarray(start, end))));
  });

  it('reports a range past the end of the file as an InputError naming the file', async () => {
    const ranges = [
      { path: big.path, start: 0, end: big.bytes.length },
      { path: big.path, start: 0, end: big.bytes.length + 10 },
    ];
    await expect(hashByteRanges(ranges, { threads: 2 })).rejects.toThrow(
      `${big.path}: cannot hash: file ended at byte ${big.bytes.length}, expected ${big.bytes.length + 10}`,
    );
  });
});

describe('hashing fails closed', () => {
  it('names a file that does not exist', async () => {
    const missing = join(dir, 'missing');
    const error = await sha256File(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location.file).toBe(missing);
  });

  it('refuses a whole-file range when the file has grown since its size was taken', async () => {
    const { path, bytes } = writeSeeded('growing', 5, 1000);
    appendFileSync(path, 'more');
    await expect(hashByteRanges([{ path, start: 0, end: bytes.length, wholeFile: true }])).rejects.toThrow(
      /file grew past 1000 bytes/,
    );
    // A shard of the same bytes is fine: only whole-file ranges promise to reach the end.
    expect(await hashByteRanges([{ path, start: 0, end: bytes.length }])).toEqual([sha256(bytes)]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const { path } = writeSeeded('aborted', 1, 10);
    await expect(sha256File(path, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

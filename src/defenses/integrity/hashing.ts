/**
 * Fast SHA-256 of large files, in constant memory. Two different digests, not to be confused:
 * - `sha256File`: the plain SHA-256 of the whole file (what `sha256sum` prints); inherently sequential, so
 *   one core. The 'files' serialisation of the model signing format records this digest.
 * - `sha256FileShards`: one SHA-256 per fixed-size shard of the file, hashed in parallel on all cores. The
 *   'shards' serialisation records these; they are not a digest of the whole file.
 */
import { statSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { type HashPoolOptions, hashByteRanges } from './hash-pool.js';

/** Default shard size of the reference implementation (sigstore/model-transparency): 1 GB. */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

export interface FileShard {
  start: number;
  end: number;
}

export interface ShardDigest extends FileShard {
  digest: string;
}

/** Lower-case hex SHA-256 of a whole file, read in chunks. */
export async function sha256File(path: string, options: HashPoolOptions = {}): Promise<string> {
  const [digest] = await hashByteRanges([{ path, start: 0, end: fileSize(path), wholeFile: true }], options);
  return digest;
}

/**
 * The shards of a file of `size` bytes: [0, s), [s, 2s), … with the last one ending at `size`. An empty file
 * has one empty shard [0, 0), as the reference does since v1.1, so that adding an empty file is detected.
 */
export function shardsOf(size: number, shardSize: number): FileShard[] {
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) {
    throw new InputError(`shard size must be a positive integer, got ${shardSize}`);
  }
  if (size === 0) return [{ start: 0, end: 0 }];
  const shards: FileShard[] = [];
  for (let start = 0; start < size; start += shardSize)
    shards.push({ start, end: Math.min(size, start + shardSize) });
  return shards;
}

/** SHA-256 of every shard of a file, in file order, hashed in parallel. */
export async function sha256FileShards(
  path: string,
  shardSize = DEFAULT_SHARD_SIZE,
  options: HashPoolOptions = {},
): Promise<ShardDigest[]> {
  const shards = shardsOf(fileSize(path), shardSize);
  const digests = await hashByteRanges(
    shards.map((shard) => ({ path, ...shard })),
    options,
  );
  return shards.map((shard, i) => ({ ...shard, digest: digests[i] }));
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    throw new InputError(`cannot read: ${(error as Error).message}`, { file: path });
  }
}

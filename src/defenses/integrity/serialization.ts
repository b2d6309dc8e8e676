/**
 * Serialising a model into a manifest, the two ways the OpenSSF model signing format v1.0 defines
 * (sigstore/model-transparency, src/model_signing/_serialization/file.py and file_shard.py):
 * - 'files': one resource per file, named by its model-relative path, digest = SHA-256 of the whole file;
 * - 'shards': one resource per shard of every file, named `path:start:end`, algorithm
 *   `sha256-sharded-<shard size>`, digest = SHA-256 of the shard's bytes.
 * Resources are listed in the reference's canonical order (manifest.py sorts its keys as Python compares
 * `PurePosixPath` objects: component by component, by code point; shards then by start and end).
 */
import type { HashPoolOptions } from './hash-pool.js';
import { hashByteRanges } from './hash-pool.js';
import { shardsOf } from './hashing.js';
import { listModelFiles } from './model-files.js';

export interface FilesSerialization {
  method: 'files';
  hashType: 'sha256';
  allowSymlinks: boolean;
  /** Model-relative paths that were left out, recorded so that a verifier leaves them out too. */
  ignorePaths: string[];
}

export interface ShardsSerialization {
  method: 'shards';
  hashType: 'sha256';
  allowSymlinks: boolean;
  shardSize: number;
}

export type Serialization = FilesSerialization | ShardsSerialization;

export interface ResourceDescriptor {
  name: string;
  algorithm: string;
  /** Lower-case hex. */
  digest: string;
}

export interface Manifest {
  /** Informative only: the last component of the model path. Renaming a model does not invalidate it. */
  modelName: string;
  serialization: Serialization;
  /** In canonical order. */
  resources: ResourceDescriptor[];
}

/** The `algorithm` every resource of a serialisation carries. */
export function resourceAlgorithm(serialization: Serialization): string {
  return serialization.method === 'files' ? 'sha256' : `sha256-sharded-${serialization.shardSize}`;
}

/**
 * Hashes the model at `modelPath`. `ignorePaths` (model-relative) are left out of the listing; for the
 * 'files' method the caller records them in `serialization.ignorePaths`.
 */
export async function serializeModel(
  modelPath: string,
  serialization: Serialization,
  ignorePaths: readonly string[],
  options: HashPoolOptions = {},
): Promise<Manifest> {
  const model = listModelFiles(modelPath, { ignorePaths, allowSymlinks: serialization.allowSymlinks });
  const items =
    serialization.method === 'files'
      ? model.files.map((file) => ({
          name: file.name,
          range: { path: file.path, start: 0, end: file.size, wholeFile: true },
        }))
      : model.files.flatMap((file) =>
          shardsOf(file.size, serialization.shardSize).map(({ start, end }) => ({
            name: `${file.name}:${start}:${end}`,
            range: { path: file.path, start, end },
          })),
        );
  const digests = await hashByteRanges(
    items.map((item) => item.range),
    options,
  );
  const algorithm = resourceAlgorithm(serialization);
  const resources = items.map((item, i) => ({ name: item.name, algorithm, digest: digests[i] }));
  return {
    modelName: model.modelName,
    serialization,
    resources: sortResources(resources, serialization.method),
  };
}

/** Resources in the reference's canonical order; the names are ones `serializeModel` made, so all parse. */
function sortResources(
  resources: ResourceDescriptor[],
  method: Serialization['method'],
): ResourceDescriptor[] {
  const keyed = resources.map((resource) => ({ resource, key: resourceKey(resource.name, method)! }));
  keyed.sort(
    (a, b) => comparePosixPaths(a.key.path, b.key.path) || a.key.start - b.key.start || a.key.end - b.key.end,
  );
  return keyed.map(({ resource }) => resource);
}

export interface ResourceKey {
  /** Model-relative POSIX path, "." for a single-file model. */
  path: string;
  start: number;
  end: number;
}

/**
 * Splits a resource name into file path and shard range. A shard name is `path:start:end`; the path is
 * everything before the last two colons. Returns null for a shard name that is not of that form.
 */
export function resourceKey(name: string, method: Serialization['method']): ResourceKey | null {
  if (method === 'files') return { path: name, start: 0, end: 0 };
  const match = /^(.+):(0|[1-9]\d*):(0|[1-9]\d*)$/.exec(name);
  if (match === null) return null;
  return { path: match[1], start: Number(match[2]), end: Number(match[3]) };
}

/** Python's `PurePosixPath` order: component by component, each compared by code point. */
export function comparePosixPaths(a: string, b: string): number {
  const partsA = a.split('/');
  const partsB = b.split('/');
  const n = Math.min(partsA.length, partsB.length);
  for (let i = 0; i < n; i++) {
    const order = compareCodePoints(partsA[i], partsB[i]);
    if (order !== 0) return order;
  }
  return partsA.length - partsB.length;
}

// JavaScript's `<` compares UTF-16 code units, Python compares code points; they disagree when a character
// above U+FFFF (a surrogate pair) meets one in U+E000..U+FFFF.
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

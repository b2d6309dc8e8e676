/**
 * Serialisation against known answers: the reference's own golden statements for its sample models
 * (sigstore/model-transparency, tests/_signing/testdata/signing/TestPayload/), rebuilt here from the recipe in
 * its tests/conftest.py.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  comparePosixPaths,
  type Serialization,
  serializeModel,
} from '../../../src/defenses/integrity/serialization.js';
import { manifestToStatement } from '../../../src/defenses/integrity/statement.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const files = (): Serialization => ({
  method: 'files',
  hashType: 'sha256',
  allowSymlinks: false,
  ignorePaths: [],
});
const shards = (shardSize: number): Serialization => ({
  method: 'shards',
  hashType: 'sha256',
  allowSymlinks: false,
  shardSize,
});

/** The reference's `sample_model_folder`: d0/f00…d1/f12 and f0…f3, each a sentence naming itself. */
function sampleModelFolder(): string {
  const root = join(dir, 'sample', 'root');
  for (let i = 0; i < 2; i++) {
    mkdirSync(join(root, `d${i}`), { recursive: true });
    for (let j = 0; j < 3; j++)
      writeFileSync(join(root, `d${i}`, `f${i}${j}`), `This is file f${i}${j} in d${i}.`);
  }
  for (let i = 0; i < 4; i++) writeFileSync(join(root, `f${i}`), `This is file f${i} in root.`);
  return root;
}

describe('serializeModel matches the reference goldens', () => {
  const sample = sampleModelFolder();

  it("'files': resource names, order, digests and the subject digest", async () => {
    const statement = manifestToStatement(await serializeModel(sample, files(), []));
    expect(statement.subject).toEqual([
      {
        name: 'root',
        digest: { sha256: '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7' },
      },
    ]);
    const { resources } = statement.predicate;
    expect(resources.map((r) => r.name)).toEqual([
      'd0/f00',
      'd0/f01',
      'd0/f02',
      'd1/f10',
      'd1/f11',
      'd1/f12',
      'f0',
      'f1',
      'f2',
      'f3',
    ]);
    expect(resources[0]).toEqual({
      name: 'd0/f00',
      algorithm: 'sha256',
      digest: 'fdd8925354242a7fd1515e79534317b800015607a609cd306e0b4dcfe6c92249',
    });
    expect(resources[9].digest).toBe('912bcf5ebdf44dc7b4085b07940e0a81d157fba24b276e73fd911121d4544c4a');
  });

  it("'shards' of 8 bytes: names path:start:end, algorithm sha256-sharded-8, and the subject digest", async () => {
    const statement = manifestToStatement(await serializeModel(sample, shards(8), []));
    expect(statement.subject[0].digest.sha256).toBe(
      '2139af57fd2a4f324ac7cd0fc04898cce73d0871b363c8eb3fc07ab7da4c8445',
    );
    const { resources } = statement.predicate;
    expect(resources).toHaveLength(30);
    expect(resources.slice(0, 3)).toEqual([
      {
        name: 'd0/f00:0:8',
        algorithm: 'sha256-sharded-8',
        digest: 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0',
      },
      {
        name: 'd0/f00:8:16',
        algorithm: 'sha256-sharded-8',
        digest: '03d5bb235fbf6771da18a650a7d01c1d6b85ada9de9cc62d27752a1c2a05548b',
      },
      {
        name: 'd0/f00:16:23',
        algorithm: 'sha256-sharded-8',
        digest: '003b089e217915b12ca9509b2f8a01be7cfe662ffadeb1cd3cf3f430c7b9773a',
      },
    ]);
    expect(resources[29].name).toBe('f3:16:24');
    expect(statement.predicate.serialization).toEqual({
      method: 'shards',
      hash_type: 'sha256',
      shard_size: 8,
      allow_symlinks: false,
    });
  });

  it("'shards': an empty single-file model is one empty shard named .:0:0", async () => {
    const file = join(dir, 'empty-file-model');
    writeFileSync(file, '');
    const statement = manifestToStatement(await serializeModel(file, shards(8), []));
    expect(statement.predicate.resources).toEqual([
      {
        name: '.:0:0',
        algorithm: 'sha256-sharded-8',
        digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    ]);
    expect(statement.subject[0].digest.sha256).toBe(
      '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456',
    );
  });

  it('leaves out ignored paths, folders with everything below them', async () => {
    const manifest = await serializeModel(sample, files(), ['d1', 'f0']);
    expect(manifest.resources.map((r) => r.name)).toEqual(['d0/f00', 'd0/f01', 'd0/f02', 'f1', 'f2', 'f3']);
  });
});

describe('comparePosixPaths', () => {
  it('sorts as Python sorts PurePosixPath: by component, by code point (known answer from CPython)', () => {
    const names = [
      'a/b',
      'a.b',
      'a-b',
      'a',
      'a/b/c',
      'B',
      'b',
      'a0',
      'a/.x',
      'Z/z',
      '\uffff',
      '\u{10000}',
      'é',
      'e',
    ];
    expect([...names].sort(comparePosixPaths)).toEqual([
      'B',
      'Z/z',
      'a',
      'a/.x',
      'a/b',
      'a/b/c',
      'a-b',
      'a.b',
      'a0',
      'b',
      'e',
      'é',
      '\uffff',
      '\u{10000}',
    ]);
  });
});

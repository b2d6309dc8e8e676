import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { BYTE_IMAGE_SCALE } from '../../src/data/idx-dataset.js';
import { detectFormat, idxLabelsPath, loadDataset, saveDataset } from '../../src/data/load.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError, tabularDataset, tabularFields, tempDir } from './helpers.js';

const dir = tempDir();
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function imageSet(seed: number, n: number): Dataset {
  const rng = new Rng(seed);
  return {
    x: {
      shape: [n, 1, 6, 5],
      data: Float32Array.from({ length: n * 30 }, () => rng.int(256) * BYTE_IMAGE_SCALE),
    },
    y: Int32Array.from({ length: n }, () => rng.int(4)),
    numClasses: 4,
    classNames: ['0', '1', '2', '3'],
    valueScale: BYTE_IMAGE_SCALE,
  };
}

describe('saveDataset → loadDataset', () => {
  const tabular = tabularDataset(3, {
    rows: 20,
    numeric: 3,
    categorical: 1,
    labelIndex: 9,
    classNames: ['no', 'yes'],
  });
  tabular.labelColumn = { name: 'label', index: tabular.labelColumn!.index };

  for (const name of ['t.csv', 't.csv.gz', 't.tsv', 't.jsonl', 't.jsonl.gz', 't.ndjson']) {
    it(`round-trips ${name} and records its SHA-256`, () => {
      const path = join(dir, name);
      expect(saveDataset(path, tabular)).toEqual([path]);
      const loaded = loadDataset(path);
      expect(tabularFields(loaded)).toEqual(tabularFields(tabular));
      expect(loaded.source).toEqual({ uri: path, sha256: sha256(path), format: detectFormat(path) });
    });
  }

  for (const name of ['a.npz', 'a.safetensors']) {
    it(`round-trips ${name}`, () => {
      const path = join(dir, name);
      const images = imageSet(1, 9);
      saveDataset(path, images);
      const loaded = loadDataset(path);
      expect(loaded.x).toEqual(images.x);
      expect(loaded.y).toEqual(images.y);
      expect(loaded.source).toEqual({ uri: path, sha256: sha256(path), format: name.split('.')[1] });
    });
  }

  for (const name of ['train-images-idx3-ubyte.gz', 'images.idx3-ubyte']) {
    it(`round-trips an IDX pair named ${name}`, () => {
      const path = join(dir, name);
      const images = imageSet(2, 12);
      const written = saveDataset(path, images);
      expect(written).toEqual([path, idxLabelsPath(path)]);
      const loaded = loadDataset(path);
      expect(loaded.x).toEqual(images.x);
      expect(loaded.y).toEqual(images.y);
      expect(loaded.valueScale).toBe(BYTE_IMAGE_SCALE);
    });
  }

  it('loads a directory of IDX pairs, choosing the split', () => {
    const fashion = join(dir, 'fashion');
    mkdirSync(fashion);
    const train = imageSet(3, 8);
    const test = imageSet(4, 5);
    saveDataset(join(fashion, 'train-images-idx3-ubyte.gz'), train);
    saveDataset(join(fashion, 't10k-images-idx3-ubyte'), test);
    expect(loadDataset(fashion).y).toEqual(train.y);
    expect(loadDataset(fashion, { split: 'test' }).y).toEqual(test.y);
    expect(loadDataset(join(fashion, 't10k-images-idx3-ubyte')).y).toEqual(test.y);
  });

  it('passes CSV options through', () => {
    const path = join(dir, 'opts.csv');
    writeFileSync(path, 'a,b\n1,x\n2,y\n');
    expect(loadDataset(path, { label: 'a' }).featureNames).toEqual(['b=x', 'b=y']);
  });
});

describe('loadDataset bad input', () => {
  it('lists the supported formats for an unknown extension', () => {
    const path = join(dir, 'data.parquet');
    writeFileSync(path, 'PAR1');
    expectInputError(() => loadDataset(path), /unknown dataset format; supported: \.csv, .*\.safetensors/, {
      file: path,
    });
    expectInputError(() => saveDataset(join(dir, 'out.xlsx'), imageSet(1, 1)), /unknown dataset format/);
  });

  it('names missing and empty files', () => {
    expectInputError(() => loadDataset(join(dir, 'missing.csv')), /no such file or directory/);
    for (const name of ['empty.csv', 'empty.npz', 'empty.safetensors', 'empty-images-idx3-ubyte']) {
      const path = join(dir, name);
      writeFileSync(path, '');
      expectInputError(() => loadDataset(path), /file is empty/, { file: path });
    }
  });

  it('names a path it cannot write', () => {
    const path = join(dir, 'no-such-dir', 'out.csv');
    expectInputError(() => saveDataset(path, imageSet(1, 1)), /cannot write \(ENOENT/, { file: path });
  });

  it('reports a directory without IDX files or without the requested split', () => {
    const empty = join(dir, 'nothing');
    mkdirSync(empty);
    expectInputError(() => loadDataset(empty), /no IDX images file/, { file: empty });
    const only = join(dir, 'only-train');
    mkdirSync(only);
    saveDataset(join(only, 'train-images-idx3-ubyte'), imageSet(5, 2));
    saveDataset(join(only, 'extra-images-idx3-ubyte'), imageSet(6, 2));
    expectInputError(() => loadDataset(only, { split: 'test' }), /no test images among/);
  });

  it('reports a missing IDX labels file', () => {
    const path = join(dir, 'lonely-images-idx3-ubyte');
    writeFileSync(path, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    expectInputError(() => loadDataset(path), /no such file/, {
      file: join(dir, 'lonely-labels-idx1-ubyte'),
    });
  });
});

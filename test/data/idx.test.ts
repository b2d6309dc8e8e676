import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { BYTE_IMAGE_SCALE, encodeIdxDataset, loadIdxDataset } from '../../src/data/idx-dataset.js';
import type { NumericArray } from '../../src/data/typed.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError, expectSameValues, tempDir } from './helpers.js';

const dir = tempDir();

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function arrays(rng: Rng, n: number): NumericArray[] {
  return [
    Uint8Array.from({ length: n }, () => rng.int(256)),
    Int8Array.from({ length: n }, () => rng.int(256) - 128),
    Int16Array.from({ length: n }, () => rng.int(65536) - 32768),
    Int32Array.from({ length: n }, () => rng.nextUint32() | 0),
    Float32Array.from({ length: n }, () => rng.normal()),
    Float64Array.from({ length: n }, () => rng.normal()),
  ];
}

describe('IDX arrays', () => {
  it('decodes a hand-built file: magic 0x00000B02, dims 2 × 2, big-endian int16', () => {
    const bytes = Uint8Array.of(
      0,
      0,
      0x0b,
      2,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      2,
      0xff,
      0xff,
      0x01,
      0x00,
      0x80,
      0x00,
      0x00,
      0x07,
    );
    expect(parseIdx(bytes)).toEqual({ kind: 'i2', shape: [2, 2], data: Int16Array.of(-1, 256, -32768, 7) });
    expect(encodeIdx({ shape: [2, 2], data: Int16Array.of(-1, 256, -32768, 7) })).toEqual(bytes);
  });

  for (const seed of [1, 2, 3]) {
    it(`round-trips every dtype, plain and gzip (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const shape = [1 + rng.int(5), 1 + rng.int(4), 1 + rng.int(3)];
      for (const data of arrays(rng, shape[0] * shape[1] * shape[2])) {
        const bytes = encodeIdx({ shape, data });
        expect(parseIdx(bytes).data).toEqual(data);
        expect(parseIdx(gzipSync(bytes))).toMatchObject({ shape, data });
      }
    });
  }

  it('refuses typed arrays IDX cannot hold', () => {
    expect(() => encodeIdx({ shape: [1], data: Uint16Array.of(1) })).toThrow(RangeError);
  });
});

describe('IDX bad input', () => {
  const good = encodeIdx({ shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });

  it('rejects wrong magic, unknown dtypes, zero dims and truncated headers', () => {
    const magic = good.slice();
    magic[1] = 8;
    expectInputError(() => parseIdx(magic, 'm.idx'), /not an IDX file/, { file: 'm.idx', offset: 0 });
    const dtype = good.slice();
    dtype[2] = 0x0a;
    expectInputError(() => parseIdx(dtype, 'm.idx'), /unknown IDX dtype code 0x0a/, { offset: 2 });
    const dims = good.slice();
    dims[3] = 0;
    expectInputError(() => parseIdx(dims, 'm.idx'), /at least one dimension/, { offset: 3 });
    expectInputError(() => parseIdx(good.subarray(0, 7), 'm.idx'), /truncated IDX header/, { offset: 7 });
  });

  it('rejects data shorter or longer than the dimensions, and implausible dimensions', () => {
    expectInputError(
      () => parseIdx(good.subarray(0, good.length - 5), 'm.idx'),
      /need 24 bytes of data, the file has 19/,
      {
        offset: good.length - 5,
      },
    );
    const long = new Uint8Array(good.length + 2);
    long.set(good);
    expectInputError(() => parseIdx(long, 'm.idx'), /2 unexpected bytes/, { offset: good.length });
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 0xffffffff, false);
    expectInputError(() => parseIdx(huge, 'm.idx'), /implausible/, { offset: 4 });
  });
});

describe('IDX datasets (streamed)', () => {
  function imageSet(seed: number, n: number, h: number, w: number): Dataset {
    const rng = new Rng(seed);
    return {
      x: {
        shape: [n, 1, h, w],
        data: Float32Array.from({ length: n * h * w }, () => rng.int(256) * BYTE_IMAGE_SCALE),
      },
      y: Int32Array.from({ length: n }, () => rng.int(10)),
      numClasses: 10,
      classNames: Array.from({ length: 10 }, (_, c) => String(c)),
      valueScale: BYTE_IMAGE_SCALE,
    };
  }

  for (const [seed, n, gz] of [
    [1, 7, false],
    [2, 1500, true], // 1.2 MB of pixels: several read and inflate chunks
    [3, 40, true],
  ] as const) {
    it(`round-trips byte images scaled to [0, 1] (seed ${seed}, ${n} images, ${gz ? 'gzip' : 'plain'})`, () => {
      const original = imageSet(seed, n, 28, 28);
      const { images, labels } = encodeIdxDataset(original);
      expect(images[2]).toBe(0x08);
      const pack = (b: Uint8Array): Uint8Array => (gz ? gzipSync(b) : b);
      const loaded = loadIdxDataset(
        write(`s${seed}-images`, pack(images)),
        write(`s${seed}-labels`, pack(labels)),
      );
      expect(loaded.x.shape).toEqual(original.x.shape);
      expectSameValues(loaded.x.data, original.x.data);
      expect(loaded.y).toEqual(original.y);
      expect(loaded.valueScale).toBe(BYTE_IMAGE_SCALE);
      expect(loaded.source).toMatchObject({ format: 'idx' });
      expect(loaded.x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    });
  }

  it('writes perturbed images as float32 so nothing is rounded away', () => {
    const original = imageSet(4, 5, 4, 4);
    original.x.data[3] += 0.001;
    const { images } = encodeIdxDataset(original);
    expect(images[2]).toBe(0x0d);
    const loaded = loadIdxDataset(
      write('f-images', images),
      write('f-labels', encodeIdxDataset(original).labels),
    );
    expect(loaded.x).toEqual(original.x);
    expect(loaded.valueScale).toBeUndefined();
  });

  it('streams multi-byte elements split across read chunks', () => {
    // 12-byte header + 8-byte doubles: the 1 MiB read boundary falls inside an element.
    const rng = new Rng(9);
    const data = Float64Array.from({ length: 140_000 }, () => rng.normal());
    const images = write('wide-images', encodeIdx({ shape: [1000, 140], data }));
    const labels = write('wide-labels', encodeIdx({ shape: [1000], data: new Uint8Array(1000) }));
    const loaded = loadIdxDataset(images, labels);
    expect(loaded.x.shape).toEqual([1000, 140]);
    expectSameValues(loaded.x.data, Float32Array.from(data));
  });

  it('rejects truncated gzip, short data, and labels that do not match the images', () => {
    const original = imageSet(5, 50, 8, 8);
    const { images, labels } = encodeIdxDataset(original);
    const labelsPath = write('ok-labels', labels);
    const cut = write('cut-images.gz', gzipSync(images).subarray(0, 200));
    expectInputError(() => loadIdxDataset(cut, labelsPath), /corrupt or truncated gzip/, { file: cut });
    const short = write('short-images', images.subarray(0, images.length - 10));
    expectInputError(() => loadIdxDataset(short, labelsPath), /need 3200 bytes of data, the file has 3190/, {
      file: short,
      offset: images.length - 10,
    });
    const fewer = write('fewer-labels', encodeIdx({ shape: [49], data: new Uint8Array(49) }));
    expectInputError(() => loadIdxDataset(write('i', images), fewer), /labels must have shape \[50\]/, {
      file: fewer,
    });
    const negative = write('neg-labels', encodeIdx({ shape: [50], data: new Int8Array(50).fill(-1) }));
    expectInputError(
      () => loadIdxDataset(write('i2', images), negative),
      /label -1 is not a non-negative integer/,
      {
        row: 1,
        offset: 8,
      },
    );
    const header = write('header-only', images.subarray(0, 6));
    expectInputError(() => loadIdxDataset(header, labelsPath), /truncated IDX header/, { offset: 6 });
  });
});

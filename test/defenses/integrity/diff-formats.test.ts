import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpz } from '../../../src/data/npy.js';
import { encodeSafetensors, type SafetensorsDtype } from '../../../src/data/safetensors.js';
import type { NumericArray } from '../../../src/data/typed.js';
import { readTensorSet } from '../../../src/defenses/integrity/diff-tensors.js';
import { diffModelFiles } from '../../../src/defenses/integrity/weight-diff.js';
import { Rng } from '../../../src/engine/rng.js';
import { InputError } from '../../../src/errors.js';
import { foundChanges } from './diff-helpers.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const ALL = { maxElements: Number.POSITIVE_INFINITY };

/** Flips bit `bit` of element `element` of a tensor whose data starts at byte `start`. */
function flip(
  bytes: Uint8Array,
  start: number,
  width: number,
  element: number,
  bit: number,
  littleEndian = true,
): void {
  const byte = Math.floor(bit / 8);
  bytes[start + element * width + (littleEndian ? byte : width - 1 - byte)] ^= 1 << (bit % 8);
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Where each tensor's data starts in a safetensors file. */
function safetensorsStarts(bytes: Uint8Array): Map<string, number> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  return new Map(
    Object.entries(header)
      .filter(([name]) => name !== '__metadata__')
      .map(([name, entry]) => [name, 8 + length + (entry as { data_offsets: number[] }).data_offsets[0]]),
  );
}

interface Planted {
  tensor: string;
  element: number;
  bit: number;
}

/** Distinct seeded (element, bit) positions. */
function plant(rng: Rng, tensor: string, size: number, width: number, count: number): Planted[] {
  const seen = new Map<number, Planted>();
  while (seen.size < count) {
    const element = rng.int(size);
    if (!seen.has(element)) seen.set(element, { tensor, element, bit: rng.int(width) });
  }
  return [...seen.values()];
}

const expected = (planted: Planted[]): string[] =>
  planted.map((p) => `${p.tensor}:${p.element}:${p.bit}`).sort();

describe('diff of every safetensors dtype', () => {
  const dtypes: [SafetensorsDtype, number, (n: number, rng: Rng) => NumericArray][] = [
    ['F16', 16, (n, rng) => Float32Array.from({ length: n }, () => rng.normal())],
    ['BF16', 16, (n, rng) => Float32Array.from({ length: n }, () => rng.normal())],
    ['F32', 32, (n, rng) => Float32Array.from({ length: n }, () => rng.normal())],
    ['F64', 64, (n, rng) => Float64Array.from({ length: n }, () => rng.normal())],
    ['I64', 64, (n, rng) => BigInt64Array.from({ length: n }, () => BigInt(rng.int(1000) - 500))],
    ['U8', 8, (n, rng) => Uint8Array.from({ length: n }, () => rng.int(256))],
    ['BOOL', 8, (n, rng) => Uint8Array.from({ length: n }, () => rng.int(2))],
  ];
  it.each([1, 2, 3])('seed %i: every planted flip is found, in every dtype, and nothing else', (seed) => {
    const rng = new Rng(seed);
    const tensors = new Map(
      dtypes.map(([dtype, , make]) => [`t.${dtype}`, { dtype, shape: [6, 7], data: make(42, rng) }]),
    );
    const before = encodeSafetensors(tensors, { note: 'x' });
    const after = before.slice();
    const starts = safetensorsStarts(after);
    const planted = dtypes.flatMap(([dtype, width]) =>
      // BOOL must stay 0/1 to parse: only its lowest bit may flip.
      plant(rng, `t.${dtype}`, 42, dtype === 'BOOL' ? 1 : width, 1 + rng.int(6)),
    );
    for (const p of planted) {
      const width = dtypes.find(([d]) => `t.${d}` === p.tensor)![1] / 8;
      flip(after, starts.get(p.tensor)!, width, p.element, p.bit);
    }
    const diff = diffModelFiles(
      write(`a${seed}.safetensors`, before),
      write(`b${seed}.safetensors`, after),
      ALL,
    );
    expect(foundChanges(diff)).toEqual(expected(planted));
    expect(diff.summary.classification).toBe('bit-flip');
    const f16 = diff.tensors.find((t) => t.name === 't.F16')!;
    const f16Fields = planted
      .filter((p) => p.tensor === 't.F16')
      .map((p) => (p.bit === 15 ? 'sign' : p.bit >= 10 ? 'exponent' : 'mantissa'));
    expect(f16.bitFlips).toEqual({
      sign: f16Fields.filter((f) => f === 'sign').length,
      exponent: f16Fields.filter((f) => f === 'exponent').length,
      mantissa: f16Fields.filter((f) => f === 'mantissa').length,
    });
  });

  it('reports added, removed, reshaped and re-typed tensors, and changed metadata', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i);
    const a = encodeSafetensors(
      new Map([
        ['same', { shape: [12], data }],
        ['reshaped', { shape: [3, 4], data }],
        ['retyped', { shape: [12], data }],
        ['gone', { shape: [12], data }],
      ]),
      { stage: 'a' },
    );
    const b = encodeSafetensors(
      new Map([
        ['same', { shape: [12], data }],
        ['reshaped', { shape: [4, 3], data }],
        ['retyped', { dtype: 'F16' as const, shape: [12], data }],
        ['new', { shape: [2], data: new Float32Array(2) }],
      ]),
      { stage: 'b' },
    );
    const diff = diffModelFiles(write('sa.safetensors', a), write('sb.safetensors', b));
    const status = Object.fromEntries(diff.tensors.map((t) => [t.name, t.status]));
    expect(status).toEqual({
      same: 'unchanged',
      reshaped: 'reshaped',
      retyped: 'dtype-changed',
      gone: 'removed',
      new: 'added',
    });
    expect(diff.tensors.find((t) => t.name === 'reshaped')!.changed).toBe(0); // same bytes, new shape
    expect(diff.summary).toMatchObject({
      added: 1,
      removed: 1,
      reshaped: 1,
      dtypeChanged: 1,
      changedElements: 0,
    });
    expect(diff.metadata).toEqual([{ key: '__metadata__.stage', a: 'a', b: 'b' }]);
    expect(diff.identical).toBe(false);
  });
});

describe('diff of NumPy files', () => {
  it.each([4, 5])(
    'seed %i: big-endian, Fortran-ordered float16: flips found at their C-order index',
    (seed) => {
      const rng = new Rng(seed);
      const [rows, cols] = [5, 8];
      const data = Float32Array.from({ length: rows * cols }, () => rng.normal());
      const text = (bytes: Uint8Array): string => new TextDecoder('latin1').decode(bytes);
      const c = encodeNpy({ shape: [rows, cols], data, kind: 'f2' }, { bigEndian: true });
      const before = new Uint8Array(
        Buffer.from(text(c).replace("'fortran_order': False", "'fortran_order': True "), 'latin1'),
      );
      const after = before.slice();
      const start = before.length - rows * cols * 2;
      const planted = plant(rng, 'array', rows * cols, 16, 6);
      for (const p of planted) flip(after, start, 2, p.element, p.bit, false);
      const diff = diffModelFiles(write(`a${seed}.npy`, before), write(`b${seed}.npy`, after), ALL);
      // stored position p of a column-major [rows, cols] array is C-order index (p % rows) * cols + ⌊p / rows⌋
      const cOrder = planted.map((p) => ({
        ...p,
        element: (p.element % rows) * cols + Math.floor(p.element / rows),
      }));
      expect(foundChanges(diff)).toEqual(expected(cOrder));
    },
  );

  it('finds a changed NaN payload in float16, which decoding would hide', () => {
    const data = new Uint16Array([0x7e00, 0x3c00]);
    const a = encodeNpy({ shape: [2], data });
    const patch = (bytes: Uint8Array): Uint8Array =>
      new Uint8Array(
        Buffer.from(new TextDecoder('latin1').decode(bytes).replace("'<u2'", "'<f2'"), 'latin1'),
      );
    const b = encodeNpy({ shape: [2], data: new Uint16Array([0x7e01, 0x3c00]) });
    const diff = diffModelFiles(write('nan-a.npy', patch(a)), write('nan-b.npy', patch(b)), ALL);
    expect(foundChanges(diff)).toEqual(['array:0:0']);
    expect(diff.tensors[0].dtype).toBe('F16');
  });

  it('diffs NPZ archives member by member', () => {
    const rng = new Rng(6);
    const w = Float32Array.from({ length: 30 }, () => rng.normal());
    const b = Float64Array.from({ length: 5 }, () => rng.normal());
    const a = encodeNpz(
      new Map([
        ['w', { shape: [30], data: w }],
        ['b', { shape: [5], data: b }],
      ]),
      { compress: true },
    );
    const w2 = w.slice();
    w2[17] = 123;
    const after = encodeNpz(
      new Map([
        ['w', { shape: [30], data: w2 }],
        ['b', { shape: [5], data: b }],
      ]),
    );
    const diff = diffModelFiles(write('a.npz', a), write('b.npz', after), ALL);
    expect(
      diff.tensors.filter((t) => t.changed > 0).map((t) => [t.name, t.elements.map((e) => e.index)]),
    ).toEqual([['w', [17]]]);
    expect(diff.summary.classification).toBe('sparse');
  });

  it('refuses string arrays with a located error', () => {
    const path = write('s.npy', encodeNpy({ shape: [2], data: ['ab', 'c'] }));
    expect(() => readTensorSet(path)).toThrow(InputError);
    expect(() => readTensorSet(path)).toThrow(/s\.npy.*only numeric arrays/);
  });
});

describe('diff of TF.js models', () => {
  function tfjsModel(name: string, shards: Uint8Array[], manifestPaths?: string[]): string {
    const root = join(dir, name);
    mkdirSync(root, { recursive: true });
    const paths = manifestPaths ?? shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
    shards.forEach((bytes, i) => {
      writeFileSync(join(root, paths[i]), bytes);
    });
    const manifest = [
      {
        paths,
        weights: [
          { name: 'dense/kernel', shape: [10, 6], dtype: 'float32' },
          {
            name: 'dense/bias',
            shape: [6],
            dtype: 'float32',
            quantization: { dtype: 'uint8', scale: 0.1, min: -1 },
          },
        ],
      },
    ];
    writeFileSync(join(root, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: manifest }));
    return root;
  }

  it.each([7, 8])('seed %i: raw weights by manifest name, across shard boundaries', (seed) => {
    const rng = new Rng(seed);
    const kernel = Float32Array.from({ length: 60 }, () => rng.normal());
    const bias = Uint8Array.from({ length: 6 }, () => rng.int(256));
    const all = new Uint8Array(246);
    all.set(new Uint8Array(kernel.buffer));
    all.set(bias, 240);
    const before = tfjsModel(`tfjs-a${seed}`, [all.subarray(0, 100), all.subarray(100)]);
    const edited = all.slice();
    const planted = [...plant(rng, 'dense/kernel', 60, 32, 5), ...plant(rng, 'dense/bias', 6, 8, 2)];
    for (const p of planted)
      flip(
        edited,
        p.tensor === 'dense/kernel' ? 0 : 240,
        p.tensor === 'dense/kernel' ? 4 : 1,
        p.element,
        p.bit,
      );
    const after = tfjsModel(`tfjs-b${seed}`, [edited.subarray(0, 100), edited.subarray(100)]);
    const diff = diffModelFiles(before, join(after, 'model.json'), ALL);
    expect(diff.a.format).toBe('tfjs');
    expect(foundChanges(diff)).toEqual(expected(planted));
    expect(diff.tensors.find((t) => t.name === 'dense/bias')!.dtype).toBe('U8');
  });

  it('refuses a shard path that leaves the model folder, and truncated shards', () => {
    const outside = tfjsModel('tfjs-escape', [new Uint8Array(246)], ['../outside.bin']);
    expect(() => readTensorSet(outside)).toThrow(/leaves the model's folder/);
    const truncated = tfjsModel('tfjs-short', [new Uint8Array(200)]);
    expect(() => readTensorSet(truncated)).toThrow(/truncated/);
  });
});

describe('bad input', () => {
  it('names the file for a truncated safetensors file, a missing path and a folder that is no model', () => {
    const whole = encodeSafetensors(new Map([['w', { shape: [8], data: new Float32Array(8) }]]));
    const cut = write('cut.safetensors', whole.subarray(0, whole.length - 3));
    expect(() => readTensorSet(cut)).toThrow(InputError);
    expect(() => readTensorSet(cut)).toThrow(/cut\.safetensors/);
    expect(() => readTensorSet(join(dir, 'nope.safetensors'))).toThrow(/no such file/);
    mkdirSync(join(dir, 'empty-folder'));
    expect(() => readTensorSet(join(dir, 'empty-folder'))).toThrow(/not a model folder/);
  });
});

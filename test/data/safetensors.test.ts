import { describe, expect, it } from 'vitest';
import { encodeSafetensors, parseSafetensors, type SafetensorsDtype } from '../../src/data/safetensors.js';
import type { NumericArray } from '../../src/data/typed.js';
import { Rng } from '../../src/engine/rng.js';
import { InputError } from '../../src/errors.js';

/** A safetensors file from a header object and raw data bytes, exactly as written (no validation). */
function rawFile(header: unknown, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectInputError(fn: () => unknown, pattern: RegExp, field?: string): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.message).toMatch(pattern);
  expect(error.location.file).toBe('model.safetensors');
  if (field !== undefined) expect(error.location.field).toBe(field);
  return error;
}

function randomArray(rng: Rng, dtype: SafetensorsDtype, n: number): NumericArray {
  const ints = (lo: number, span: number): number[] => Array.from({ length: n }, () => lo + rng.int(span));
  switch (dtype) {
    case 'F32':
      return Float32Array.from({ length: n }, () => rng.normal());
    case 'F64':
      return Float64Array.from({ length: n }, () => rng.normal());
    case 'I8':
      return Int8Array.from(ints(-128, 256));
    case 'I16':
      return Int16Array.from(ints(-32768, 65536));
    case 'I32':
      return Int32Array.from({ length: n }, () => rng.nextUint32() | 0);
    case 'I64':
      return BigInt64Array.from({ length: n }, () => BigInt(rng.nextUint32() | 0) * 4294967296n + 12345n);
    case 'U8':
      return Uint8Array.from(ints(0, 256));
    case 'BOOL':
      return Uint8Array.from(ints(0, 2));
    case 'U16':
      return Uint16Array.from(ints(0, 65536));
    case 'U32':
      return Uint32Array.from({ length: n }, () => rng.nextUint32());
    case 'U64':
      return BigUint64Array.from({ length: n }, () => BigInt(rng.nextUint32()) * 4294967296n + 7n);
    case 'F16':
      // Multiples of 1/64 below 16 are exact in binary16.
      return Float32Array.from({ length: n }, () => (rng.int(2048) - 1024) / 64);
    case 'BF16':
      return Float32Array.from({ length: n }, () => (rng.int(256) - 128) * 2 ** (rng.int(20) - 10));
  }
}

const DTYPES: SafetensorsDtype[] = [
  'F16',
  'BF16',
  'F32',
  'F64',
  'I8',
  'I16',
  'I32',
  'I64',
  'U8',
  'U16',
  'U32',
  'U64',
  'BOOL',
];

describe('safetensors round trip', () => {
  for (const seed of [1, 2, 3]) {
    it(`writes and reads back every dtype and several shapes (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const tensors = new Map<string, { dtype: SafetensorsDtype; shape: number[]; data: NumericArray }>();
      for (const dtype of DTYPES) {
        const shape = Array.from({ length: rng.int(4) }, () => rng.int(5));
        const size = shape.reduce((a, b) => a * b, 1);
        tensors.set(`layers.${dtype.toLowerCase()}.weight`, {
          dtype,
          shape,
          data: randomArray(rng, dtype, size),
        });
      }
      const metadata = { format: 'pt', note: `seed ${seed} ✓` };
      const bytes = encodeSafetensors(tensors, metadata);
      const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(headerLength % 8).toBe(0);
      const parsed = parseSafetensors(bytes, 'model.safetensors');
      expect(parsed.metadata).toEqual(metadata);
      expect([...parsed.tensors.keys()]).toEqual([...tensors.keys()]);
      for (const [name, t] of tensors) expect(parsed.tensors.get(name)).toEqual(t);
    });
  }

  it('infers the dtype from the typed array', () => {
    const bytes = encodeSafetensors(new Map([['x', { shape: [2], data: Int16Array.of(-1, 2) }]]));
    expect(parseSafetensors(bytes).tensors.get('x')).toEqual({
      dtype: 'I16',
      shape: [2],
      data: Int16Array.of(-1, 2),
    });
  });
});

describe('safetensors known bytes', () => {
  it('decodes a hand-built file with F16, BF16 and I64 tensors (unaligned, header order ≠ data order)', () => {
    const bytes = rawFile(
      {
        b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
        h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
        i: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
        __metadata__: { format: 'pt' },
      },
      [
        ...[0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00], // F16: 1, -2, 65504, 2^-24
        ...[0x80, 0x3f, 0x49, 0x40], // BF16: 1, 3.140625
        ...[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // I64: -2
      ],
    );
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(tensors.get('h')!.data as Float32Array)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(tensors.get('h')!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.get('b')!.data as Float32Array)).toEqual([1, 3.140625]);
    expect(Array.from(tensors.get('i')!.data as BigInt64Array)).toEqual([-2n]);
  });

  it('rounds float32 to F16 and BF16 to nearest even when writing', () => {
    const data = Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, -0, 1e-8);
    const f16 = parseSafetensors(encodeSafetensors(new Map([['t', { dtype: 'F16', shape: [5], data }]])));
    expect(Array.from(f16.tensors.get('t')!.data as Float32Array)).toEqual([1, 1 + 2 ** -9, Infinity, -0, 0]);
    const bf = Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8);
    const bf16 = parseSafetensors(
      encodeSafetensors(new Map([['t', { dtype: 'BF16', shape: [2], data: bf }]])),
    );
    expect(Array.from(bf16.tensors.get('t')!.data as Float32Array)).toEqual([1, 1 + 2 ** -6]);
  });
});

describe('safetensors bad input', () => {
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  });
  const zeros = (n: number): number[] => new Array(n).fill(0);

  it('rejects files too short for the length prefix', () => {
    expectInputError(() => parseSafetensors(new Uint8Array(5), 'model.safetensors'), /too short/);
  });

  it('rejects a header length beyond the file', () => {
    const bytes = rawFile({ a: f32(0, 4) }, zeros(4));
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    const error = expectInputError(() => parseSafetensors(bytes, 'model.safetensors'), /runs past the end/);
    expect(error.location.offset).toBe(0);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    expectInputError(() => parseSafetensors(bytes, 'model.safetensors'), /exceeds/);
  });

  it('rejects bad JSON and non-object headers', () => {
    const bytes = rawFile({ a: f32(0, 4) }, zeros(4));
    bytes[9] = 0x7d; // '}' right after '{' … leaves trailing garbage
    expectInputError(() => parseSafetensors(bytes, 'model.safetensors'), /not valid UTF-8 JSON/);
    expectInputError(() => parseSafetensors(rawFile([1, 2]), 'model.safetensors'), /not a JSON object/);
  });

  it('names the tensor with an unknown dtype, bad shape or bad offsets', () => {
    const cases: [unknown, RegExp][] = [
      [{ dtype: 'F8', shape: [1], data_offsets: [0, 4] }, /unknown dtype "F8"/],
      [{ dtype: 'F32', shape: [1.5], data_offsets: [0, 4] }, /not a list of non-negative integers/],
      [{ dtype: 'F32', shape: [1], data_offsets: [0] }, /not a pair/],
      [{ dtype: 'F32', shape: [1], data_offsets: [4, 0] }, /end before they begin/],
      [{ dtype: 'F32', shape: [2], data_offsets: [0, 4] }, /needs 8 bytes but data_offsets span 4/],
      ['weights', /not an object/],
    ];
    for (const [entry, pattern] of cases) {
      expectInputError(
        () => parseSafetensors(rawFile({ w: entry }, zeros(4)), 'model.safetensors'),
        pattern,
        'w',
      );
    }
  });

  it('rejects overlapping, out-of-range, gapped and trailing data', () => {
    const overlap = rawFile({ a: f32(0, 8), b: f32(4, 12) }, zeros(12));
    expectInputError(() => parseSafetensors(overlap, 'model.safetensors'), /overlap/, 'b');
    const outside = rawFile({ a: f32(0, 4), b: f32(4, 12) }, zeros(8));
    expectInputError(
      () => parseSafetensors(outside, 'model.safetensors'),
      /run past the end of the data/,
      'b',
    );
    const gap = rawFile({ a: f32(0, 4), b: f32(8, 12) }, zeros(12));
    expectInputError(() => parseSafetensors(gap, 'model.safetensors'), /4 unclaimed bytes/, 'b');
    const trailing = rawFile({ a: f32(0, 4) }, zeros(6));
    const error = expectInputError(() => parseSafetensors(trailing, 'model.safetensors'), /2 bytes after/);
    expect(error.location.offset).toBe(trailing.length - 2);
  });

  it('rejects non-string metadata and BOOL bytes other than 0 and 1', () => {
    const meta = rawFile({ __metadata__: { epochs: 3 } });
    expectInputError(
      () => parseSafetensors(meta, 'model.safetensors'),
      /"epochs" is not a string/,
      '__metadata__',
    );
    const bool = rawFile({ mask: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, [0, 1, 2]);
    const error = expectInputError(() => parseSafetensors(bool, 'model.safetensors'), /BOOL value 2/, 'mask');
    expect(error.message).toContain('model.safetensors');
  });
});

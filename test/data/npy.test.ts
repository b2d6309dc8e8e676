import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpz, type NpyInput, parseNpy, parseNpz } from '../../src/data/npy.js';
import type { NumericArray } from '../../src/data/typed.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError } from './helpers.js';

const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

// Written by numpy 2.4: np.save(f, np.array([[-1, 2], [300, -32768]], dtype='>i2')).
const NUMPY_BE_I2 =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//wACASyAAA==';
// np.save(f, np.asfortranarray(np.arange(24, dtype='<i4').reshape(2, 3, 4))).
const NUMPY_FORTRAN =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAADAAAAAQAAAAQAAAACAAAABQAAAABAAAADQAAAAUAAAARAAAA' +
  'CQAAABUAAAACAAAADgAAAAYAAAASAAAACgAAABYAAAADAAAADwAAAAcAAAATAAAACwAAABcAAAA=';
// np.save(f, np.array(['cat', 'dög', '🐍x'])).
const NUMPY_UNICODE =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPFUzJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIApjAAAAYQAAAHQAAABkAAAA9gAAAGcAAAAN9AEAeAAAAAAAAAA=';
// np.savez_compressed(f, X=np.arange(6, dtype='f8').reshape(2, 3), labels=np.array([1, 0])): deflated, ZIP64.
const NUMPY_NPZ =
  'UEsDBC0AAAAIAAAAIQDwzTtG//////////8FABQAWC5ucHkBABAAsAAAAAAAAABXAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqGuo6Cel' +
  'l9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgYU8MEeynCAUBxQWgBKizgAAFBLAwQtAAAACAAAACEAcfs5q///////////Cg' +
  'AUAGxhYmVscy5ucHkBABAAkAAAAAAAAABIAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQ' +
  'WpAL5GkY6mjoKtQoUAC5GBlQAAFBLAQItAy0AAAAIAAAAIQDwzTtGVwAAALAAAAAFAAAAAAAAAAAAAACAAQAAAABYLm5weVBLAQItAy0AAAAIAAAA' +
  'IQBx+zmrSAAAAJAAAAAKAAAAAAAAAAAAAACAAY4AAABsYWJlbHMubnB5UEsFBgAAAAACAAIAawAAABIBAAAAAA==';

describe('NPY files written by numpy', () => {
  it('reads big-endian int16 and writes the same bytes back', () => {
    const bytes = fromBase64(NUMPY_BE_I2);
    const array = parseNpy(bytes, 'be.npy');
    expect(array).toEqual({ descr: '>i2', shape: [2, 2], data: Int16Array.of(-1, 2, 300, -32768) });
    expect(encodeNpy(array as NpyInput, { bigEndian: true })).toEqual(bytes);
  });

  it('transposes Fortran-ordered arrays to C order', () => {
    const array = parseNpy(fromBase64(NUMPY_FORTRAN), 'f.npy');
    expect(array.shape).toEqual([2, 3, 4]);
    expect(Array.from(array.data as Int32Array)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('reads unicode string arrays', () => {
    expect(parseNpy(fromBase64(NUMPY_UNICODE)).data).toEqual(['cat', 'dög', '🐍x']);
  });

  it('reads a compressed ZIP64 NPZ', () => {
    const arrays = parseNpz(fromBase64(NUMPY_NPZ), 'n.npz');
    expect([...arrays.keys()]).toEqual(['X', 'labels']);
    expect(arrays.get('X')).toEqual({ descr: '<f8', shape: [2, 3], data: Float64Array.of(0, 1, 2, 3, 4, 5) });
    expect(arrays.get('labels')!.data).toEqual(BigInt64Array.of(1n, 0n));
  });
});

function randomData(rng: Rng, kind: string, n: number): NumericArray {
  const ints = (lo: number, span: number): number[] => Array.from({ length: n }, () => lo + rng.int(span));
  switch (kind) {
    case 'f2':
      return Float32Array.from({ length: n }, () => (rng.int(4096) - 2048) / 128);
    case 'f4':
      return Float32Array.from({ length: n }, () => rng.normal());
    case 'f8':
      return Float64Array.from({ length: n }, () => rng.normal());
    case 'i1':
      return Int8Array.from(ints(-128, 256));
    case 'i2':
      return Int16Array.from(ints(-32768, 65536));
    case 'i4':
      return Int32Array.from({ length: n }, () => rng.nextUint32() | 0);
    case 'i8':
      return BigInt64Array.from({ length: n }, () => -BigInt(rng.nextUint32()) << 20n);
    case 'u1':
    case 'b1':
      return Uint8Array.from(ints(0, kind === 'b1' ? 2 : 256));
    case 'u2':
      return Uint16Array.from(ints(0, 65536));
    case 'u4':
      return Uint32Array.from({ length: n }, () => rng.nextUint32());
    default:
      return BigUint64Array.from({ length: n }, () => BigInt(rng.nextUint32()) << 31n);
  }
}

describe('NPY round trip', () => {
  const kinds = ['f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1'] as const;
  for (const seed of [1, 2, 3]) {
    for (const bigEndian of [false, true]) {
      it(`every dtype, random shapes (seed ${seed}, ${bigEndian ? 'big' : 'little'} endian)`, () => {
        const rng = new Rng(seed);
        for (const kind of kinds) {
          const shape = Array.from({ length: rng.int(4) }, () => rng.int(5));
          const data = randomData(
            rng,
            kind,
            shape.reduce((a, b) => a * b, 1),
          );
          const version = (1 + rng.int(3)) as 1 | 2 | 3;
          const bytes = encodeNpy({ shape, data, kind }, { bigEndian, version });
          expect(bytes[6]).toBe(version);
          expect((bytes.indexOf(0x0a) + 1) % 64).toBe(0); // data aligned as numpy aligns it
          const parsed = parseNpy(bytes, 'r.npy');
          expect(parsed.shape).toEqual(shape);
          expect(parsed.data).toEqual(data);
          expect(parsed.descr.slice(1)).toBe(kind);
        }
      });
    }
  }

  it('round-trips strings and falls back to version 2 for huge headers', () => {
    expect(parseNpy(encodeNpy({ shape: [2, 2], data: ['a', '', 'naïve', '🐍'] })).data).toEqual([
      'a',
      '',
      'naïve',
      '🐍',
    ]);
    const shape = Array.from({ length: 25_000 }, () => 1);
    const bytes = encodeNpy({ shape, data: Float32Array.of(7) });
    expect(bytes[6]).toBe(2);
    expect(parseNpy(bytes).shape).toEqual(shape);
  });

  for (const compress of [false, true]) {
    it(`NPZ round trip (${compress ? 'deflated' : 'stored'})`, () => {
      const rng = new Rng(5);
      const arrays = new Map<string, NpyInput>([
        ['x', { shape: [3, 4], data: randomData(rng, 'f4', 12) }],
        ['y', { shape: [3], data: randomData(rng, 'i8', 3) }],
        ['names', { shape: [2], data: ['one', 'two'] }],
      ]);
      const parsed = parseNpz(encodeNpz(arrays, { compress }), 'r.npz');
      for (const [name, array] of arrays) {
        expect(parsed.get(name)).toMatchObject({ shape: array.shape, data: array.data });
      }
    });
  }
});

describe('NPY bad input', () => {
  const good = encodeNpy({ shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
  const withHeader = (header: string): Uint8Array => {
    const bytes = new Uint8Array(10 + header.length);
    bytes.set(good.subarray(0, 8));
    new DataView(bytes.buffer).setUint16(8, header.length, true);
    bytes.set(new TextEncoder().encode(header), 10);
    return bytes;
  };

  it('rejects truncated files, wrong magic and unknown versions with offsets', () => {
    expectInputError(() => parseNpy(good.subarray(0, 5), 'a.npy'), /too short/, { file: 'a.npy', offset: 5 });
    expectInputError(() => parseNpy(good.subarray(0, 60), 'a.npy'), /header claims 118 bytes/, {
      offset: 60,
    });
    expectInputError(
      () => parseNpy(good.subarray(0, good.length - 3), 'a.npy'),
      /needs 24 bytes of data, the file has 21/,
      {
        offset: good.length - 3,
      },
    );
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expectInputError(() => parseNpy(extra, 'a.npy'), /4 unexpected bytes after the array data/, {
      offset: good.length,
    });
    const magic = good.slice();
    magic[1] = 0x4f;
    expectInputError(() => parseNpy(magic, 'a.npy'), /wrong magic/, { offset: 0 });
    const version = good.slice();
    version[6] = 4;
    expectInputError(() => parseNpy(version, 'a.npy'), /unsupported NPY version 4\.0/, { offset: 6 });
  });

  it('rejects bad header dictionaries with the offset of the problem', () => {
    const unclosed = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)";
    expectInputError(
      () => parseNpy(withHeader(unclosed), 'h.npy'),
      /bad header dictionary: expected ',' or '}'/,
      {
        offset: 10 + unclosed.length,
      },
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '<f4', 'shape': (6,)}"), 'h.npy'),
      /exactly the keys/,
      { offset: 10 },
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}"), 'h.npy'),
      /unsupported dtype '<c8'/,
      {
        field: 'descr',
      },
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}"), 'h.npy'),
      /object arrays.*unpickle/,
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"), 'h.npy'),
      /structured/,
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"), 'h.npy'),
      /fortran_order/,
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), 'h.npy'),
      /shape \[-1\]/,
      {
        field: 'shape',
      },
    );
    expectInputError(
      () => parseNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk"), 'h.npy'),
      /unexpected text/,
    );
  });

  it('accepts a Python 2 header with long integers', () => {
    const bytes = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }");
    const full = new Uint8Array(bytes.length + 24);
    full.set(bytes);
    expect(parseNpy(full).shape).toEqual([2, 3]);
  });

  it('rejects archives that are not zip files or hold other members', () => {
    expectInputError(() => parseNpz(good, 'a.npz'), /not a valid NPZ \(zip\) archive/, { file: 'a.npz' });
    const arrays = parseNpz(encodeNpz(new Map([['x', { shape: [1], data: Int8Array.of(1) }]])));
    expect(arrays.get('x')!.data).toEqual(Int8Array.of(1));
    const truncatedMember = encodeNpz(new Map([['x', { shape: [4], data: Float64Array.of(1, 2, 3, 4) }]]));
    expectInputError(() => parseNpz(truncatedMember.subarray(0, 100), 'cut.npz'), /not a valid NPZ/);
  });
});

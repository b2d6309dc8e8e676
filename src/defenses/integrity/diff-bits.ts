/**
 * Bit-level views of stored tensors for the weight diff: each element as one or two 32-bit words (so that
 * comparing words compares bit patterns, never values, and -0/+0 or two NaN payloads still differ), the
 * field every bit position belongs to, and the elements' numeric values.
 */
import { decodeElements } from '../../data/typed.js';
import { KIND_OF_DTYPE, type RawTensor, type TensorDtype } from './diff-tensors.js';

export type BitField = 'sign' | 'exponent' | 'mantissa';

/**
 * The IEEE 754 layout of a dtype, lowest bit first: mantissa, exponent, sign. Integers have no exponent; their
 * magnitude bits count as "mantissa", and signed integers' top bit as the sign.
 */
export interface BitLayout {
  width: number;
  mantissaBits: number;
  exponentBits: number;
  signed: boolean;
}

const float = (width: number, exponentBits: number): BitLayout => ({
  width,
  exponentBits,
  mantissaBits: width - exponentBits - 1,
  signed: true,
});
const integer = (width: number, signed: boolean): BitLayout => ({
  width,
  exponentBits: 0,
  mantissaBits: signed ? width - 1 : width,
  signed,
});

export const BIT_LAYOUT: Record<TensorDtype, BitLayout> = {
  F16: float(16, 5),
  BF16: float(16, 8),
  F32: float(32, 8),
  F64: float(64, 11),
  I8: integer(8, true),
  I16: integer(16, true),
  I32: integer(32, true),
  I64: integer(64, true),
  U8: integer(8, false),
  U16: integer(16, false),
  U32: integer(32, false),
  U64: integer(64, false),
  BOOL: integer(8, false),
};

export function bitField(layout: BitLayout, bit: number): BitField {
  if (bit < layout.mantissaBits) return 'mantissa';
  if (bit < layout.mantissaBits + layout.exponentBits) return 'exponent';
  return 'sign';
}

/** The elements as words: one per element up to 32 bits, two (low, high) for 64-bit types. */
export function elementWords(tensor: RawTensor): {
  words: Uint8Array | Uint16Array | Uint32Array;
  perElement: 1 | 2;
} {
  const { buffer, byteOffset, byteLength } = tensor.bytes;
  switch (BIT_LAYOUT[tensor.dtype].width) {
    case 8:
      return { words: tensor.bytes, perElement: 1 };
    case 16:
      return { words: new Uint16Array(buffer, byteOffset, byteLength / 2), perElement: 1 };
    case 32:
      return { words: new Uint32Array(buffer, byteOffset, byteLength / 4), perElement: 1 };
    default:
      return { words: new Uint32Array(buffer, byteOffset, byteLength / 4), perElement: 2 };
  }
}

/** The elements as numbers (64-bit integers through Number, exact up to 2^53). */
export function elementValues(tensor: RawTensor): ArrayLike<number> {
  const count = tensor.bytes.length / (BIT_LAYOUT[tensor.dtype].width / 8);
  if (tensor.dtype === 'F32') return new Float32Array(tensor.bytes.buffer, tensor.bytes.byteOffset, count);
  const values = decodeElements(tensor.bytes, 0, count, KIND_OF_DTYPE[tensor.dtype]);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array)
    return Float64Array.from(values, Number);
  return values;
}

/** An element's bit pattern as hex, most significant digit first (e.g. 0x3f800000). */
export function hexBits(words: ArrayLike<number>, perElement: 1 | 2, index: number, width: number): string {
  const digits = width / 4;
  if (perElement === 1) return `0x${words[index].toString(16).padStart(digits, '0')}`;
  const high = words[2 * index + 1].toString(16).padStart(8, '0');
  const low = words[2 * index].toString(16).padStart(8, '0');
  return `0x${high}${low}`;
}

/** Positions (0 = lowest) of the set bits of a 32-bit word, offset by `base`, appended to `into`. */
export function setBits(word: number, base: number, into: number[]): void {
  for (let x = word >>> 0; x !== 0; x &= x - 1) into.push(base + 31 - Math.clz32(x & -x));
}

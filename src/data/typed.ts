/**
 * Typed-array element kinds shared by the binary formats (NPY, safetensors, IDX): reading elements of any
 * width and byte order out of an arbitrary (possibly unaligned) byte range, and writing them back.
 */

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** An element kind: what the bytes hold, independent of any file format's name for it. */
export type ElementKind =
  | 'f2'
  | 'bf2'
  | 'f4'
  | 'f8'
  | 'i1'
  | 'i2'
  | 'i4'
  | 'i8'
  | 'u1'
  | 'u2'
  | 'u4'
  | 'u8'
  | 'b1';

export const ELEMENT_BYTES: Record<ElementKind, number> = {
  f2: 2,
  bf2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements of `kind` starting at `bytes[offset]`. The bytes are copied (so the result is
 * aligned and independent of the input); half floats (f2, bf2) widen to Float32Array, bools to Uint8Array.
 */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  kind: ElementKind,
  littleEndian = true,
): NumericArray {
  const width = ELEMENT_BYTES[kind];
  if (kind === 'f2' || kind === 'bf2') return decodeHalf(bytes, offset, count, kind, littleEndian);
  // A fresh copy (not bytes.slice: on a Node Buffer that is a view into a shared pool).
  const copy = new Uint8Array(count * width);
  copy.set(bytes.subarray(offset, offset + count * width));
  if (width > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, width);
  const buffer = copy.buffer;
  switch (kind) {
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'i1':
      return new Int8Array(buffer);
    case 'i2':
      return new Int16Array(buffer);
    case 'i4':
      return new Int32Array(buffer);
    case 'i8':
      return new BigInt64Array(buffer);
    case 'u2':
      return new Uint16Array(buffer);
    case 'u4':
      return new Uint32Array(buffer);
    case 'u8':
      return new BigUint64Array(buffer);
    default:
      return copy; // u1, b1
  }
}

/** The bytes of `data` as elements of `kind` in the given byte order (f2/bf2 narrow from float32). */
export function encodeElements(data: NumericArray, kind: ElementKind, littleEndian = true): Uint8Array {
  if (kind === 'f2' || kind === 'bf2') return encodeHalf(data as Float32Array, kind, littleEndian);
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const width = ELEMENT_BYTES[kind];
  if (width > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(bytes, width);
  return bytes;
}

/** The natural element kind of a typed array (Uint8Array is u1; pass b1 explicitly for booleans). */
export function kindOf(data: NumericArray): ElementKind {
  if (data instanceof Float32Array) return 'f4';
  if (data instanceof Float64Array) return 'f8';
  if (data instanceof Int8Array) return 'i1';
  if (data instanceof Int16Array) return 'i2';
  if (data instanceof Int32Array) return 'i4';
  if (data instanceof BigInt64Array) return 'i8';
  if (data instanceof Uint16Array) return 'u2';
  if (data instanceof Uint32Array) return 'u4';
  if (data instanceof BigUint64Array) return 'u8';
  return 'u1';
}

/** Converts any numeric array to float32 (64-bit integers through Number, exact up to 2^53). */
export function toFloat32(data: NumericArray): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function decodeHalf(
  bytes: Uint8Array,
  offset: number,
  count: number,
  kind: 'f2' | 'bf2',
  littleEndian: boolean,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 2);
  const out = new Float32Array(count);
  if (kind === 'bf2') {
    // bfloat16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, littleEndian) << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, littleEndian));
  }
  return out;
}

function encodeHalf(data: Float32Array, kind: 'f2' | 'bf2', littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const view = new DataView(out.buffer);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i++) {
    const half = kind === 'bf2' ? floatToBfloat16(bits[i]) : floatToHalf(data[i]);
    view.setUint16(i * 2, half, littleEndian);
  }
  return out;
}

/** IEEE 754 binary16 → number (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** number → IEEE 754 binary16, rounding to nearest even. */
function floatToHalf(value: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (Number.isNaN(value)) return 0x7e00;
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest half (65504)
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (may round up into the normals)
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--; // guard log2 rounding
  let mantissa = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  return sign | ((exponent + 15) << 10) | mantissa;
}

/** float32 bits → bfloat16 bits, rounding to nearest even; NaN stays NaN. */
function floatToBfloat16(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

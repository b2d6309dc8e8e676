/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero
 * bytes, a dtype code, the number of dimensions, each dimension as a big-endian uint32, then the data in
 * big-endian C order. Dtype codes: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double.
 */
import { InputError } from '../errors.js';
import { gunzip, isGzip } from './files.js';
import {
  decodeElements,
  ELEMENT_BYTES,
  type ElementKind,
  encodeElements,
  kindOf,
  type NumericArray,
} from './typed.js';

export type IdxKind = 'u1' | 'i1' | 'i2' | 'i4' | 'f4' | 'f8';

export interface IdxArray {
  kind: IdxKind;
  shape: number[];
  data: NumericArray;
}

export interface IdxHeader {
  kind: IdxKind;
  shape: number[];
  /** Byte offset of the first element. */
  dataStart: number;
  /** Number of elements the dimensions call for. */
  count: number;
}

const KIND_OF_CODE: Record<number, IdxKind> = { 8: 'u1', 9: 'i1', 11: 'i2', 12: 'i4', 13: 'f4', 14: 'f8' };
const CODE_OF_KIND = Object.fromEntries(
  Object.entries(KIND_OF_CODE).map(([code, kind]) => [kind, Number(code)]),
);
/** Refuse headers whose dimensions would need more than this many bytes, before allocating anything. */
const MAX_DATA_BYTES = 2 ** 32;

/**
 * Parses the header from the start of an IDX file; null when `bytes` is too short to hold all of it yet
 * (streaming readers call again with more).
 */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InputError('not an IDX file (the magic number must start with two zero bytes)', {
      file,
      offset: 0,
    });
  }
  const kind = KIND_OF_CODE[bytes[2]];
  if (kind === undefined) {
    throw new InputError(`unknown IDX dtype code 0x${bytes[2].toString(16).padStart(2, '0')}`, {
      file,
      offset: 2,
    });
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new InputError('an IDX file needs at least one dimension', { file, offset: 3 });
  const dataStart = 4 + 4 * ndims;
  if (bytes.length < dataStart) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, dataStart);
  const shape = Array.from({ length: ndims }, (_, k) => view.getUint32(4 + 4 * k, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count * ELEMENT_BYTES[kind] > MAX_DATA_BYTES) {
    throw new InputError(
      `dimensions [${shape}] call for an implausible ${count * ELEMENT_BYTES[kind]} bytes`,
      {
        file,
        offset: 4,
      },
    );
  }
  return { kind, shape, dataStart, count };
}

/** Parses a whole IDX file (gzip is detected and decompressed). */
export function parseIdx(bytes: Uint8Array, file = '<idx>'): IdxArray {
  if (isGzip(bytes)) bytes = gunzip(bytes, file);
  const header = parseIdxHeader(bytes, file);
  if (header === null)
    throw new InputError(`truncated IDX header (${bytes.length} bytes)`, { file, offset: bytes.length });
  checkDataLength(header, bytes.length - header.dataStart, file);
  return {
    kind: header.kind,
    shape: header.shape,
    data: decodeElements(bytes, header.dataStart, header.count, header.kind, false),
  };
}

/** Throws unless exactly the bytes the header calls for follow it. */
export function checkDataLength(header: IdxHeader, available: number, file: string): void {
  const needed = header.count * ELEMENT_BYTES[header.kind];
  if (available < needed) {
    throw new InputError(
      `truncated: dimensions [${header.shape}] need ${needed} bytes of data, the file has ${available}`,
      { file, offset: header.dataStart + available },
    );
  }
  if (available > needed) {
    throw new InputError(`${available - needed} unexpected bytes after the data`, {
      file,
      offset: header.dataStart + needed,
    });
  }
}

/** An IDX file for a typed array (Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array). */
export function encodeIdx(array: { shape: readonly number[]; data: NumericArray }): Uint8Array {
  const kind: ElementKind = kindOf(array.data);
  if (!(kind in CODE_OF_KIND))
    throw new RangeError(`encodeIdx: IDX cannot store ${array.data.constructor.name}`);
  if (array.shape.length === 0 || array.shape.length > 255) {
    throw new RangeError(`encodeIdx: IDX needs 1 to 255 dimensions, got ${array.shape.length}`);
  }
  const body = encodeElements(array.data, kind, false);
  const out = new Uint8Array(4 + 4 * array.shape.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = CODE_OF_KIND[kind];
  out[3] = array.shape.length;
  array.shape.forEach((d, k) => {
    view.setUint32(4 + 4 * k, d, false);
  });
  out.set(body, 4 + 4 * array.shape.length);
  return out;
}

/**
 * NumPy's NPY format (versions 1.0, 2.0, 3.0; see numpy/lib/format.py) and NPZ, a zip of `.npy` members,
 * stored or deflated. Supported dtypes: f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8, b1 (any byte order) and U<n>
 * strings; Fortran-ordered arrays are transposed to C order. Object arrays are refused: loading them means
 * unpickling, which can run arbitrary code.
 */
import { unzipSync, type Zippable, zipSync } from 'fflate';
import { InputError } from '../errors.js';
import { PyLiteralError, type PyValue, parsePyLiteral } from './pyliteral.js';
import {
  decodeElements,
  ELEMENT_BYTES,
  type ElementKind,
  encodeElements,
  kindOf,
  type NumericArray,
} from './typed.js';

export interface NpyArray {
  /** The dtype as the file spells it, e.g. '<f4', '>i2', '|b1', '<U5'. */
  descr: string;
  shape: number[];
  /** Numbers (f2 widened to Float32Array, b1 as 0/1 bytes) or, for U<n>, strings. */
  data: NumericArray | string[];
}

/** An array to write: the dtype comes from the typed array unless `kind` says b1 or f2 (from float32). */
export interface NpyInput {
  shape: readonly number[];
  data: NumericArray | string[];
  kind?: Exclude<ElementKind, 'bf2'>;
}

export interface NpyWriteOptions {
  bigEndian?: boolean;
  /** Format version; default 1 (or 2 when the header needs more than 65,535 bytes). 3 allows UTF-8 headers. */
  version?: 1 | 2 | 3;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR = /^([<>|=]?)([fiubU])(\d+)$/;
/** numpy aligns the data to 64 bytes (format.py ARRAY_ALIGN). */
const ALIGN = 64;

export function parseNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  const fail = (problem: string, offset: number, field?: string): InputError =>
    new InputError(problem, { file, offset, ...(field === undefined ? {} : { field }) });
  if (bytes.length < 10)
    throw fail(`truncated: ${bytes.length} bytes is too short for an NPY header`, bytes.length);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw fail('not an NPY file (wrong magic bytes)', 0);
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unsupported NPY version ${major}.${bytes[7]}`, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw fail('truncated in the header length', bytes.length);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw fail(`truncated: the header claims ${headerLength} bytes but the file ends first`, bytes.length);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const header = parseHeader(headerText, headerStart, fail);
  const type = parseDescr(header.descr, headerStart, fail);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const needed = count * type.itemSize;
  const available = bytes.length - dataStart;
  if (available < needed) {
    throw fail(
      `truncated: shape (${header.shape.join(', ')}) of ${header.descr} needs ${needed} bytes of data, ` +
        `the file has ${available}`,
      bytes.length,
    );
  }
  if (available > needed)
    throw fail(`${available - needed} unexpected bytes after the array data`, dataStart + needed);
  let data: NumericArray | string[] =
    type.kind === 'U'
      ? decodeStrings(view, dataStart, count, type.itemSize / 4, type.littleEndian, fail)
      : decodeElements(bytes, dataStart, count, type.kind, type.littleEndian);
  if (type.kind === 'b1') data = (data as Uint8Array).map((v) => (v === 0 ? 0 : 1));
  if (header.fortranOrder) data = fortranToC(data, header.shape);
  return { descr: header.descr, shape: header.shape, data };
}

export function encodeNpy(array: NpyInput, options: NpyWriteOptions = {}): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new RangeError(`encodeNpy: shape [${array.shape}] needs ${count} values, got ${array.data.length}`);
  }
  const order = options.bigEndian ? '>' : '<';
  let descr: string;
  let body: Uint8Array;
  if (Array.isArray(array.data)) {
    const width = Math.max(1, ...array.data.map((s) => [...s].length));
    descr = `${order}U${width}`;
    body = encodeStrings(array.data, width, !options.bigEndian);
  } else {
    const kind = array.kind ?? kindOf(array.data);
    const size = ELEMENT_BYTES[kind];
    descr = `${size === 1 ? '|' : order}${kind[0]}${size}`;
    body = encodeElements(array.data, kind, !options.bigEndian);
  }
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const dictBytes = new TextEncoder().encode(dict);
  let version = options.version ?? 1;
  if (version === 1 && dictBytes.length + 11 > 0xffff) version = 2;
  const prefix = version === 1 ? 10 : 12;
  const padded = Math.ceil((prefix + dictBytes.length + 1) / ALIGN) * ALIGN - prefix;
  const out = new Uint8Array(prefix + padded + body.length);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  out.fill(0x20, prefix, prefix + padded - 1);
  out.set(dictBytes, prefix);
  out[prefix + padded - 1] = 0x0a;
  out.set(body, prefix + padded);
  return out;
}

/** The arrays of an NPZ archive, named without the `.npy` suffix (as numpy.load names them). */
export function parseNpz(bytes: Uint8Array, file = '<npz>'): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (error) {
    throw new InputError(`not a valid NPZ (zip) archive: ${(error as Error).message}`, { file });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, member] of Object.entries(members)) {
    if (!name.endsWith('.npy')) {
      throw new InputError(`archive member "${name}" is not a .npy array`, { file, field: name });
    }
    arrays.set(name.slice(0, -4), parseNpy(member, `${file}:${name}`));
  }
  if (arrays.size === 0) throw new InputError('the NPZ archive holds no arrays', { file });
  return arrays;
}

/** An NPZ archive (numpy.savez; `compress` deflates the members like numpy.savez_compressed). */
export function encodeNpz(
  arrays: ReadonlyMap<string, NpyInput>,
  options: NpyWriteOptions & { compress?: boolean } = {},
): Uint8Array {
  const members: Zippable = {};
  for (const [name, array] of arrays) {
    members[`${name}.npy`] = [encodeNpy(array, options), { level: options.compress ? 6 : 0 }];
  }
  return zipSync(members);
}

type Fail = (problem: string, offset: number, field?: string) => InputError;

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, headerStart: number, fail: Fail): Header {
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (error) {
    if (error instanceof PyLiteralError) {
      throw fail(`bad header dictionary: ${error.message}`, headerStart + error.position);
    }
    throw error;
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
    throw fail('the header is not a dictionary', headerStart);
  }
  const keys = Object.keys(dict).sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') {
    throw fail(
      `the header must have exactly the keys descr, fortran_order and shape, not ${keys}`,
      headerStart,
    );
  }
  const { descr, fortran_order: fortranOrder, shape } = dict;
  if (Array.isArray(descr)) throw fail('structured (record) dtypes are not supported', headerStart, 'descr');
  if (typeof descr !== 'string')
    throw fail(`descr ${JSON.stringify(descr)} is not a string`, headerStart, 'descr');
  if (typeof fortranOrder !== 'boolean')
    throw fail('fortran_order is not True or False', headerStart, 'fortran_order');
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw fail(
      `shape ${JSON.stringify(shape)} is not a tuple of non-negative integers`,
      headerStart,
      'shape',
    );
  }
  return { descr, fortranOrder, shape: shape as number[] };
}

function parseDescr(
  descr: string,
  headerStart: number,
  fail: Fail,
): { kind: Exclude<ElementKind, 'bf2'> | 'U'; itemSize: number; littleEndian: boolean } {
  if (/^[|]?O/.test(descr)) {
    throw fail(
      'object arrays are not supported (loading them would unpickle, which can run code)',
      headerStart,
      'descr',
    );
  }
  const match = DESCR.exec(descr);
  const unsupported = (): InputError =>
    fail(
      `unsupported dtype '${descr}' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 U<n>)`,
      headerStart,
      'descr',
    );
  if (match === null) throw unsupported();
  const [, order, letter, digits] = match;
  const n = Number(digits);
  const littleEndian = order !== '>';
  if (letter === 'U') {
    if (n < 1) throw unsupported();
    return { kind: 'U', itemSize: n * 4, littleEndian };
  }
  const kind = `${letter}${n}` as ElementKind;
  if (kind === 'bf2' || !(kind in ELEMENT_BYTES) || (letter === 'b' && n !== 1)) throw unsupported();
  return { kind: kind as Exclude<ElementKind, 'bf2'>, itemSize: n, littleEndian };
}

function decodeStrings(
  view: DataView,
  start: number,
  count: number,
  width: number,
  littleEndian: boolean,
  fail: Fail,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const codes: number[] = [];
    for (let k = 0; k < width; k++) {
      const offset = start + (i * width + k) * 4;
      const code = view.getUint32(offset, littleEndian);
      if (code === 0) break;
      if (code > 0x10ffff) throw fail(`invalid Unicode code point ${code}`, offset);
      codes.push(code);
    }
    out.push(String.fromCodePoint(...codes));
  }
  return out;
}

function encodeStrings(data: string[], width: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(data.length * width * 4);
  const view = new DataView(out.buffer);
  data.forEach((s, i) => {
    [...s].forEach((ch, k) => {
      view.setUint32((i * width + k) * 4, ch.codePointAt(0)!, littleEndian);
    });
  });
  return out;
}

/** Reorders column-major (Fortran) data to row-major (C) order for the same shape. */
function fortranToC<T extends NumericArray | string[]>(source: T, shape: number[]): T {
  if (shape.length < 2) return source;
  const out = (
    Array.isArray(source)
      ? new Array(source.length)
      : new (source.constructor as new (n: number) => T)(source.length)
  ) as T;
  const fortranStride = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  const index = new Array<number>(shape.length).fill(0);
  let from = 0;
  for (let to = 0; to < source.length; to++) {
    (out as unknown as unknown[])[to] = (source as unknown as unknown[])[from];
    for (let k = shape.length - 1; k >= 0; k--) {
      index[k]++;
      from += fortranStride[k];
      if (index[k] < shape[k]) break;
      from -= fortranStride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

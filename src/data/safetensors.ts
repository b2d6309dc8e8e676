/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`, then the data
 * buffer. Offsets are relative to the buffer and must tile it exactly (no holes, no overlaps), as the
 * reference implementation checks — a file that hides bytes between tensors is rejected.
 */
import { InputError } from '../errors.js';
import {
  decodeElements,
  ELEMENT_BYTES,
  type ElementKind,
  encodeElements,
  kindOf,
  type NumericArray,
} from './typed.js';

export type SafetensorsDtype =
  | 'F16'
  | 'BF16'
  | 'F32'
  | 'F64'
  | 'I8'
  | 'I16'
  | 'I32'
  | 'I64'
  | 'U8'
  | 'U16'
  | 'U32'
  | 'U64'
  | 'BOOL';

/**
 * One tensor. Reading widens F16 and BF16 to Float32Array (dtype keeps the stored name) and gives BOOL as
 * a Uint8Array of 0/1. Writing infers the dtype from the array unless given (BOOL, F16 or BF16 from float32).
 */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: NumericArray;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** One tensor as stored: its little-endian, row-major bytes, a view into the file's bytes (not a copy). */
export interface SafetensorsRawTensor extends Omit<SafetensorsTensor, 'data'> {
  bytes: Uint8Array;
}

export interface SafetensorsRawFile extends Omit<SafetensorsFile, 'tensors'> {
  tensors: Map<string, SafetensorsRawTensor>;
}

/** The element encoding of each safetensors dtype. */
export const KIND_OF_DTYPE: Record<SafetensorsDtype, ElementKind> = {
  F16: 'f2',
  BF16: 'bf2',
  F32: 'f4',
  F64: 'f8',
  I8: 'i1',
  I16: 'i2',
  I32: 'i4',
  I64: 'i8',
  U8: 'u1',
  U16: 'u2',
  U32: 'u4',
  U64: 'u8',
  BOOL: 'b1',
};

const DTYPE_OF_KIND = Object.fromEntries(
  Object.entries(KIND_OF_DTYPE).map(([dtype, kind]) => [kind, dtype]),
) as Record<ElementKind, SafetensorsDtype>;

/** The reference implementation refuses headers over 100 MB; so do we, before allocating anything. */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export function parseSafetensors(bytes: Uint8Array, file = '<safetensors>'): SafetensorsFile {
  const { tensors: raw, metadata } = parseSafetensorsRaw(bytes, file);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, { dtype, shape, bytes: stored }] of raw) {
    const kind = KIND_OF_DTYPE[dtype];
    tensors.set(name, {
      dtype,
      shape,
      data: decodeElements(stored, 0, stored.length / ELEMENT_BYTES[kind], kind),
    });
  }
  return { tensors, metadata };
}

/**
 * The same checks as parseSafetensors, but each tensor keeps its stored bytes: for callers that compare bit
 * patterns (decoding widens F16/BF16 to float32, which loses NaN payloads).
 */
export function parseSafetensorsRaw(bytes: Uint8Array, file = '<safetensors>'): SafetensorsRawFile {
  const fail = (problem: string, loc: { field?: string; offset?: number } = {}): InputError =>
    new InputError(problem, { file, ...loc });
  if (bytes.length < 8) throw fail(`too short for a safetensors file (${bytes.length} bytes, need ≥ 8)`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) {
    throw fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`, { offset: 0 });
  }
  if (8 + headerLength > bytes.length) {
    throw fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`, {
      offset: 0,
    });
  }
  const header = parseHeaderJson(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = parseMetadata(header.__metadata__, fail);
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => parseEntry(name, value, fail));
  checkOffsets(entries, dataLength, dataStart, fail);

  const tensors = new Map<string, SafetensorsRawTensor>();
  for (const e of entries) {
    const stored = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    if (e.dtype === 'BOOL') checkBooleans(stored, e, dataStart, fail);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes: stored });
  }
  return { tensors, metadata };
}

/** Encodes tensors (in iteration order) and optional string metadata; the header is space-padded to 8 bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, { dtype?: SafetensorsDtype; shape: readonly number[]; data: NumericArray }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new RangeError('encodeSafetensors: "__metadata__" is reserved');
    const dtype = t.dtype ?? DTYPE_OF_KIND[kindOf(t.data)];
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new RangeError(
        `encodeSafetensors: tensor "${name}" has shape [${t.shape}] but ${t.data.length} values`,
      );
    }
    const bytes = encodeElements(t.data, KIND_OF_DTYPE[dtype]);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

type Fail = (problem: string, loc?: { field?: string; offset?: number }) => InputError;

function parseHeaderJson(bytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw fail(`header is not valid UTF-8 JSON (${(error as Error).message})`, { offset: 8 });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw fail('header is not a JSON object', { offset: 8 });
  }
  return header as Record<string, unknown>;
}

function parseMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('__metadata__ must be an object of strings', { field: '__metadata__', offset: 8 });
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw fail(`metadata value "${k}" is not a string`, { field: '__metadata__' });
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, fail: Fail): HeaderEntry {
  const bad = (problem: string): InputError => fail(problem, { field: name, offset: 8 });
  if (typeof value !== 'object' || value === null) throw bad('tensor entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in KIND_OF_DTYPE)) {
    throw bad(`unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(KIND_OF_DTYPE).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
  const expected =
    shape.reduce((a: number, b: number) => a * b, 1) *
    ELEMENT_BYTES[KIND_OF_DTYPE[dtype as SafetensorsDtype]];
  if (end - begin !== expected) {
    throw bad(`shape [${shape}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape, begin, end };
}

/** Sorted by begin, the entries must tile [0, dataLength) exactly. */
function checkOffsets(entries: HeaderEntry[], dataLength: number, dataStart: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    const loc = { field: e.name, offset: dataStart + e.begin };
    if (e.end > dataLength) {
      throw fail(
        `data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataLength} bytes)`,
        loc,
      );
    }
    if (e.begin < expected) throw fail(`data_offsets [${e.begin}, ${e.end}] overlap another tensor`, loc);
    if (e.begin > expected) throw fail(`${e.begin - expected} unclaimed bytes before this tensor`, loc);
    expected = e.end;
  }
  if (expected !== dataLength) {
    throw fail(`${dataLength - expected} bytes after the last tensor are not claimed by any tensor`, {
      offset: dataStart + expected,
    });
  }
}

function checkBooleans(data: Uint8Array, e: HeaderEntry, dataStart: number, fail: Fail): void {
  const i = data.findIndex((v) => v > 1);
  if (i >= 0)
    throw fail(`BOOL value ${data[i]} is not 0 or 1`, { field: e.name, offset: dataStart + e.begin + i });
}

/**
 * The tensors of a model file or folder as their stored bit patterns, for the weight diff: safetensors,
 * NumPy NPY/NPZ, TF.js (model.json + weight shards, by manifest name) and our own model folders. The
 * loaders of src/data and src/models widen half floats and normalise booleans, which would hide a flipped
 * bit or a changed NaN payload; here every element keeps the exact bytes it was stored with.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { readExistingFile } from '../../data/files.js';
import { parseNpy } from '../../data/npy.js';
import { KIND_OF_DTYPE, parseSafetensorsRaw, type SafetensorsDtype } from '../../data/safetensors.js';
import { ELEMENT_BYTES } from '../../data/typed.js';
import { InputError } from '../../errors.js';
import { ARCHITECTURE_FILE, parseJson, WEIGHTS_FILE } from '../../models/persistence.js';
import { parseTfjsManifest, readTfjsShards } from '../../models/tfjs.js';

/** Element types, named as safetensors names them. */
export type TensorDtype = SafetensorsDtype;

export { KIND_OF_DTYPE };

export interface RawTensor {
  dtype: TensorDtype;
  shape: number[];
  /** The elements' stored bytes, little-endian, row-major, in a buffer of their own (so any view aligns). */
  bytes: Uint8Array;
}

/** Where tensors came from; 'snapshot' is an in-memory model. */
export type TensorFormat = 'safetensors' | 'npy' | 'npz' | 'tfjs' | 'antidote-model' | 'snapshot';

export interface TensorSet {
  path: string;
  format: TensorFormat;
  tensors: Map<string, RawTensor>;
  /** Non-tensor content whose change matters (safetensors metadata, architecture.json digest). */
  metadata: Record<string, string>;
}

/** The single array of an NPY file is named this, so that two NPY files compare array to array. */
export const NPY_TENSOR_NAME = 'array';

/** Reads the tensors of `path`: a folder (ours or TF.js), model.json, .safetensors, .npy or .npz. */
export function readTensorSet(path: string): TensorSet {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return readFolder(path);
  const bytes = readExistingFile(path);
  if (isNpy(bytes)) return { path, format: 'npy', tensors: npyTensors(bytes, path), metadata: {} };
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return { path, format: 'npz', ...npzTensors(bytes, path) };
  if (bytes[0] === 0x7b) return readTfjs(path, bytes);
  return { path, format: 'safetensors', ...safetensorsTensors(bytes, path) };
}

/** SHA-256 of one tensor's dtype, shape and bytes: a per-tensor manifest entry. */
export function tensorDigest(tensor: RawTensor): string {
  return createHash('sha256')
    .update(`${tensor.dtype}[${tensor.shape.join(',')}]\n`)
    .update(tensor.bytes)
    .digest('hex');
}

function readFolder(dir: string): TensorSet {
  const archFile = join(dir, ARCHITECTURE_FILE);
  if (statSync(archFile, { throwIfNoEntry: false })?.isFile()) {
    const weightsFile = join(dir, WEIGHTS_FILE);
    const { tensors, metadata } = safetensorsTensors(readExistingFile(weightsFile), weightsFile);
    const architecture = createHash('sha256').update(readExistingFile(archFile)).digest('hex');
    return {
      path: dir,
      format: 'antidote-model',
      tensors,
      metadata: { ...metadata, [ARCHITECTURE_FILE]: architecture },
    };
  }
  const modelJson = join(dir, 'model.json');
  if (statSync(modelJson, { throwIfNoEntry: false })?.isFile())
    return readTfjs(modelJson, readExistingFile(modelJson));
  throw new InputError(`not a model folder: it has neither ${ARCHITECTURE_FILE} nor model.json`, {
    file: dir,
  });
}

function ownCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

// safetensors: the data layer's parser checks the header and that the offsets tile the data, and hands back
// each tensor's stored bytes.
function safetensorsTensors(bytes: Uint8Array, file: string): Omit<TensorSet, 'path' | 'format'> {
  const parsed = parseSafetensorsRaw(bytes, file);
  const tensors = new Map<string, RawTensor>();
  for (const [name, tensor] of parsed.tensors) tensors.set(name, { ...tensor, bytes: ownCopy(tensor.bytes) });
  const metadata = Object.fromEntries(
    Object.entries(parsed.metadata).map(([k, v]) => [`__metadata__.${k}`, v]),
  );
  return { tensors, metadata };
}

function isNpy(bytes: Uint8Array): boolean {
  return bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY';
}

const NPY_DTYPE: Record<string, TensorDtype> = {
  f2: 'F16',
  f4: 'F32',
  f8: 'F64',
  i1: 'I8',
  i2: 'I16',
  i4: 'I32',
  i8: 'I64',
  u1: 'U8',
  u2: 'U16',
  u4: 'U32',
  u8: 'U64',
  b1: 'BOOL',
};

const DESCR_IN_HEADER = /(['"]descr['"]\s*:\s*['"][<>|=]?)([fiub])(\d+)['"]/;

/**
 * One NPY array's raw bit patterns. parseNpy widens f2 (losing NaN payloads) and maps booleans to 0/1, so
 * the header's type letter is patched to 'u' (same width, same header length) before parsing: parseNpy then
 * does the checks, the byte order and the Fortran transposition, and hands back the elements' exact bits.
 */
function npyTensors(bytes: Uint8Array, file: string): Map<string, RawTensor> {
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 70_000)));
  const match = DESCR_IN_HEADER.exec(header);
  const dtype = match === null ? undefined : NPY_DTYPE[`${match[2]}${match[3]}`];
  if (match === null || dtype === undefined) {
    parseNpy(bytes, file); // names the problem (strings, objects, a bad header) when there is one
    throw new InputError('only numeric arrays can be compared', { file, field: 'descr' });
  }
  const patched = ownCopy(bytes);
  patched[Buffer.byteLength(header.slice(0, match.index + match[1].length), 'latin1')] = 0x75; // 'u'
  const { shape, data } = parseNpy(patched, file);
  const bits = data as Exclude<typeof data, string[]>;
  return new Map([
    [NPY_TENSOR_NAME, { dtype, shape, bytes: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength) }],
  ]);
}

function npzTensors(bytes: Uint8Array, file: string): Omit<TensorSet, 'path' | 'format'> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (error) {
    throw new InputError(`not a valid NPZ (zip) archive: ${(error as Error).message}`, { file });
  }
  const tensors = new Map<string, RawTensor>();
  for (const [name, member] of Object.entries(members)) {
    if (!name.endsWith('.npy'))
      throw new InputError('archive member is not a .npy array', { file, field: name });
    tensors.set(name.slice(0, -4), npyTensors(member, `${file}:${name}`).get(NPY_TENSOR_NAME)!);
  }
  return { tensors, metadata: {} };
}

// TF.js: the raw stored weights by manifest name (quantized codes stay codes), not the converted layout.
const TFJS_DTYPE: Record<string, TensorDtype> = {
  float32: 'F32',
  int32: 'I32',
  bool: 'BOOL',
  uint8: 'U8',
  uint16: 'U16',
  float16: 'F16',
};

function readTfjs(file: string, bytes: Uint8Array): TensorSet {
  const json = parseJson(bytes, file);
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (manifest === undefined) throw new InputError('not a TF.js model: no "weightsManifest"', { file });
  const tensors = new Map<string, RawTensor>();
  parseTfjsManifest(manifest, file).forEach((group, g) => {
    const data = readTfjsShards(group.paths, dirname(file), file, `weightsManifest[${g}].paths`);
    let offset = 0;
    group.weights.forEach((weight, i) => {
      const field = `weightsManifest[${g}].weights[${i}]`;
      const dtype = TFJS_DTYPE[weight.quantization?.dtype ?? weight.dtype];
      if (dtype === undefined) throw new InputError(`unsupported dtype "${weight.dtype}"`, { file, field });
      const length = weight.shape.reduce((a, b) => a * b, 1) * ELEMENT_BYTES[KIND_OF_DTYPE[dtype]];
      if (offset + length > data.length) {
        throw new InputError(`the shards end before this weight (truncated: ${data.length} bytes)`, {
          file,
          field,
        });
      }
      if (tensors.has(weight.name)) throw new InputError('weight is listed twice', { file, field });
      tensors.set(weight.name, {
        dtype,
        shape: weight.shape,
        bytes: ownCopy(data.subarray(offset, offset + length)),
      });
      offset += length;
    });
    if (offset !== data.length) {
      throw new InputError(`${data.length - offset} bytes in the shards are not claimed by any weight`, {
        file,
        field: `weightsManifest[${g}]`,
      });
    }
  });
  return { path: file, format: 'tfjs', tensors, metadata: {} };
}

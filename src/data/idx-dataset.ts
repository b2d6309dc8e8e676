/**
 * Image datasets as an IDX pair (images + labels, plain or .gz). The images are streamed: the file is read in
 * 1 MiB pieces, inflated incrementally and converted piece by piece into the Float32Array, so loading the
 * 60,000 Fashion-MNIST training images never holds the 47 MB of decompressed bytes beside the 188 MB of floats.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { Gunzip } from 'fflate';
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { checkReadableFile, ioError, isGzip } from './files.js';
import { checkDataLength, encodeIdx, type IdxHeader, parseIdxHeader } from './idx.js';
import { ELEMENT_BYTES } from './typed.js';

/** Unsigned-byte images are scaled to [0, 1]: x = raw × 1/255. */
export const BYTE_IMAGE_SCALE = 1 / 255;
const READ_CHUNK = 1 << 20;

export interface IdxDatasetOptions {
  classNames?: string[];
}

/**
 * Images [n, h, w] (or [n, c, h, w], or [n, d]) and labels [n] as a Dataset with x [n, 1, h, w]. Unsigned
 * bytes are scaled to [0, 1] (recorded as `valueScale`); other dtypes are kept as they are.
 * `source.sha256` is the SHA-256 of the two stored files concatenated (`cat images labels | sha256sum`).
 */
export function loadIdxDataset(
  imagesPath: string,
  labelsPath: string,
  options: IdxDatasetOptions = {},
): Dataset {
  const hash = createHash('sha256');
  const images = streamIdxFloat32(imagesPath, hash, true);
  const labels = streamIdxFloat32(labelsPath, hash, false);
  const { shape } = images.header;
  if (shape.length < 2) {
    throw new InputError(`images need at least two dimensions, got [${shape}]`, {
      file: imagesPath,
      offset: 3,
    });
  }
  const n = shape[0];
  if (labels.header.shape.length !== 1 || labels.header.shape[0] !== n) {
    throw new InputError(
      `labels must have shape [${n}] to match ${imagesPath}, got [${labels.header.shape}]`,
      {
        file: labelsPath,
        offset: 4,
      },
    );
  }
  const y = new Int32Array(n);
  let numClasses = options.classNames?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new InputError(`label ${v} is not a non-negative integer`, {
        file: labelsPath,
        row: i + 1,
        offset: labels.header.dataStart + i * ELEMENT_BYTES[labels.header.kind],
      });
    }
    y[i] = v;
    numClasses = Math.max(numClasses, v + 1);
  }
  const dataset: Dataset = {
    x: { shape: shape.length === 3 ? [n, 1, shape[1], shape[2]] : shape, data: images.data },
    y,
    numClasses,
    classNames: options.classNames ?? Array.from({ length: numClasses }, (_, c) => String(c)),
    source: { uri: imagesPath, sha256: hash.digest('hex'), format: 'idx' },
  };
  if (images.header.kind === 'u1') dataset.valueScale = BYTE_IMAGE_SCALE;
  return dataset;
}

/**
 * The dataset as an IDX pair. Images go back to unsigned bytes when every value is exactly a scaled byte
 * (x = k × valueScale); otherwise — poisoned images with fractional perturbations, say — they are written as
 * float32 so that nothing is rounded away. Labels are bytes when all are below 256.
 */
export function encodeIdxDataset(dataset: Dataset): { images: Uint8Array; labels: Uint8Array } {
  const { shape, data } = dataset.x;
  const imageShape = shape.length === 4 && shape[1] === 1 ? [shape[0], shape[2], shape[3]] : shape;
  const bytes = dataset.valueScale === undefined ? undefined : asScaledBytes(data, dataset.valueScale);
  const images = encodeIdx({ shape: imageShape, data: bytes ?? data });
  const maxLabel = dataset.y.reduce((a, b) => Math.max(a, b), 0);
  const labels = encodeIdx({
    shape: [dataset.y.length],
    data: maxLabel < 256 ? Uint8Array.from(dataset.y) : dataset.y,
  });
  return { images, labels };
}

function asScaledBytes(data: Float32Array, scale: number): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const k = Math.round(data[i] / scale);
    if (!(k >= 0 && k <= 255) || Math.fround(k * scale) !== data[i]) return undefined;
    out[i] = k;
  }
  return out;
}

/** Streams one IDX file (gzip or plain) into float32 values, updating `hash` with the stored bytes. */
function streamIdxFloat32(
  path: string,
  hash: Hash,
  scaleBytes: boolean,
): { header: IdxHeader; data: Float32Array } {
  checkReadableFile(path);
  const decoder = new IdxFloat32Decoder(path, scaleBytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(error, path, 'read');
  }
  try {
    const buffer = new Uint8Array(READ_CHUNK);
    let gunzip: Gunzip | undefined;
    for (let first = true; ; first = false) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      if (first && isGzip(chunk)) gunzip = new Gunzip((data) => decoder.push(data));
      if (gunzip === undefined) decoder.push(chunk);
      else inflate(gunzip, chunk, n === 0, path);
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return decoder.finish();
}

function inflate(gunzip: Gunzip, chunk: Uint8Array, final: boolean, file: string): void {
  try {
    gunzip.push(chunk, final);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`corrupt or truncated gzip data (${(error as Error).message})`, { file });
  }
}

/** Incremental IDX decoding: header bytes first, then whole elements, carrying partial ones across pushes. */
class IdxFloat32Decoder {
  private head = new Uint8Array(0);
  private header: IdxHeader | null = null;
  private out = new Float32Array(0);
  private filled = 0;
  private received = 0;
  private readonly carry = new Uint8Array(8);
  private carried = 0;
  private byteValues: Float32Array | undefined;

  constructor(
    private readonly file: string,
    private readonly scaleBytes: boolean,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.header === null) {
      const head = new Uint8Array(this.head.length + chunk.length);
      head.set(this.head);
      head.set(chunk, this.head.length);
      const header = parseIdxHeader(head, this.file);
      if (header === null) {
        this.head = head;
        return;
      }
      this.header = header;
      this.head = new Uint8Array(0);
      this.out = new Float32Array(header.count);
      if (header.kind === 'u1' || header.kind === 'i1') {
        const signed = header.kind === 'i1';
        const scale = header.kind === 'u1' && this.scaleBytes ? BYTE_IMAGE_SCALE : 1;
        this.byteValues = Float32Array.from({ length: 256 }, (_, b) =>
          signed ? (b << 24) >> 24 : b * scale,
        );
      }
      chunk = head.subarray(header.dataStart);
    }
    const header = this.header;
    this.received += chunk.length;
    const needed = header.count * ELEMENT_BYTES[header.kind];
    if (this.received > needed) checkDataLength(header, this.received, this.file);
    const { byteValues, out } = this;
    if (byteValues !== undefined) {
      const base = this.filled;
      for (let i = 0; i < chunk.length; i++) out[base + i] = byteValues[chunk[i]];
      this.filled += chunk.length;
    } else {
      this.pushWide(chunk, ELEMENT_BYTES[header.kind]);
    }
  }

  finish(): { header: IdxHeader; data: Float32Array } {
    if (this.header === null) {
      throw new InputError(`truncated IDX header (${this.head.length} bytes)`, {
        file: this.file,
        offset: this.head.length,
      });
    }
    checkDataLength(this.header, this.received, this.file);
    return { header: this.header, data: this.out };
  }

  /** Big-endian multi-byte elements; an element split across pushes waits in `carry`. */
  private pushWide(chunk: Uint8Array, width: number): void {
    let at = 0;
    if (this.carried > 0) {
      const take = Math.min(width - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      at = take;
      if (this.carried < width) return;
      this.out[this.filled++] = this.readElement(new DataView(this.carry.buffer), 0);
      this.carried = 0;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    for (; at + width <= chunk.length; at += width) this.out[this.filled++] = this.readElement(view, at);
    this.carry.set(chunk.subarray(at));
    this.carried = chunk.length - at;
  }

  private readElement(view: DataView, at: number): number {
    switch (this.header!.kind) {
      case 'i2':
        return view.getInt16(at, false);
      case 'i4':
        return view.getInt32(at, false);
      case 'f4':
        return view.getFloat32(at, false);
      default:
        return view.getFloat64(at, false);
    }
  }
}

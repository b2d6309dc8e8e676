/** Reading input files: existence and emptiness checks, transparent gzip, and the SHA-256 of the stored bytes. */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { sha256Hex } from './hash.js';

export interface DataFile {
  /** The contents, decompressed if the file was gzip. */
  bytes: Uint8Array;
  /** SHA-256 of the file as stored (compressed bytes for .gz). */
  sha256: string;
}

/** Reads `path` whole; gzip (detected by its magic bytes, whatever the extension) is decompressed. */
export function readDataFile(path: string): DataFile {
  const stored = readExistingFile(path);
  const bytes = isGzip(stored) ? gunzip(stored, path) : stored;
  if (bytes.length === 0) throw new InputError('file is empty once decompressed', { file: path });
  return { bytes, sha256: sha256Hex(stored) };
}

/** Reads a file that must exist, be a regular file and be non-empty. */
export function readExistingFile(path: string): Uint8Array {
  checkReadableFile(path);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw ioError(error, path, 'read');
  }
}

/** Throws an InputError unless `path` is a non-empty regular file. */
export function checkReadableFile(path: string): void {
  const stats = statPath(path);
  if (stats === undefined) throw new InputError('no such file', { file: path });
  if (!stats.isFile()) throw new InputError('not a regular file', { file: path });
  if (stats.size === 0) throw new InputError('file is empty', { file: path });
}

/** The file's stats, undefined if it does not exist; other failures (permissions…) as an InputError. */
export function statPath(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw ioError(error, path, 'read');
  }
}

/** A file-system failure as an InputError: `cannot read (EACCES: permission denied)`. */
export function ioError(error: unknown, path: string, verb: 'read' | 'write'): InputError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === undefined ? message : message.replace(/,.*$/, '');
  return new InputError(`cannot ${verb} (${reason})`, { file: path });
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (error) {
    throw new InputError(`corrupt gzip data (${(error as Error).message})`, { file });
  }
}

/**
 * Content-addressed storage: a blob is stored once, at `sha256/<hex of its SHA-256>`. A blob is written to a
 * temporary file in `tmp/`, synced, then renamed into place, so a blob under its digest is always complete:
 * a crash leaves at most a temporary file, which is never taken for a blob.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

const DIGEST = /^[0-9a-f]{64}$/;
const CHUNK = 1 << 20;

export interface StoredBlob {
  digest: string;
  size: number;
}

export class BlobStore {
  private readonly objects: string;
  private readonly temp: string;

  constructor(root: string) {
    this.objects = join(root, 'sha256');
    this.temp = join(root, 'tmp');
  }

  /** Creates the folders (a new registry). */
  create(): void {
    mkdirSync(this.objects, { recursive: true });
    mkdirSync(this.temp, { recursive: true });
  }

  path(digest: string): string {
    if (!DIGEST.test(digest)) throw new InputError(`not a SHA-256 digest: "${digest}"`);
    return join(this.objects, digest);
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  read(digest: string): Buffer {
    return readFileSync(this.path(digest));
  }

  putBytes(bytes: Uint8Array): StoredBlob {
    return this.write((fd, hash) => {
      hash.update(bytes);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      return bytes.length;
    });
  }

  /** Copies a file in, hashing as it goes (constant memory, any size). */
  putFile(source: string): StoredBlob {
    const input = openInput(source);
    try {
      return this.write((fd, hash) => {
        const buffer = Buffer.allocUnsafe(CHUNK);
        let size = 0;
        for (let n: number; (n = readSync(input, buffer, 0, CHUNK, null)) > 0; size += n) {
          hash.update(buffer.subarray(0, n));
          for (let at = 0; at < n; ) at += writeSync(fd, buffer, at, n - at);
        }
        return size;
      });
    } finally {
      closeSync(input);
    }
  }

  /** The digests of every stored blob, and any entry under sha256/ that is not named by a digest. */
  list(): { digests: string[]; strays: string[] } {
    const names = readdirSync(this.objects).sort();
    return { digests: names.filter((n) => DIGEST.test(n)), strays: names.filter((n) => !DIGEST.test(n)) };
  }

  /** Temporary files a crashed writer left behind. */
  leftovers(): string[] {
    return existsSync(this.temp) ? readdirSync(this.temp) : [];
  }

  /** SHA-256 of a stored blob's current content (which differs from its name if it was tampered with). */
  rehash(digest: string): string {
    const fd = openSync(this.path(digest), 'r');
    try {
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (let n: number; (n = readSync(fd, buffer, 0, CHUNK, null)) > 0; )
        hash.update(buffer.subarray(0, n));
      return hash.digest('hex');
    } finally {
      closeSync(fd);
    }
  }

  private write(fill: (fd: number, hash: ReturnType<typeof createHash>) => number): StoredBlob {
    const temp = join(this.temp, `${randomUUID()}.tmp`);
    const hash = createHash('sha256');
    const fd = openSync(temp, 'wx', 0o644);
    let size: number;
    try {
      size = fill(fd, hash);
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(fd);
    const digest = hash.digest('hex');
    const target = this.path(digest);
    if (existsSync(target))
      rmSync(temp, { force: true }); // deduplicated: the content is already stored
    else {
      renameSync(temp, target);
      syncFolder(this.objects);
    }
    return { digest, size };
  }
}

function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new InputError(`cannot read: ${(error as Error).message}`, { file: path });
  }
}

/** Makes a rename durable: the folder entry is synced too. */
function syncFolder(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

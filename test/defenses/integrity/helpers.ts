import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { Rng } from '../../../src/engine/rng.js';

export const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/model-signing');
export const VECTOR_PUBLIC_KEY = join(VECTORS, 'keys/signing-key-pub.pem');
export const VECTOR_PRIVATE_KEY = join(VECTORS, 'keys/signing-key.pem');

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'antidote-integrity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A writable copy of a test-vector folder. */
export function copyVector(name: string, into: string): string {
  const target = join(into, name);
  cpSync(join(VECTORS, name), target, { recursive: true });
  return target;
}

export function seededBytes(rng: Rng, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = rng.nextUint32();
  return Buffer.from(words.buffer, 0, length);
}

/**
 * A seeded model folder: a few files at the top and in nested folders, of assorted sizes including an
 * empty one. Returns the folder and the model-relative names of its files.
 */
export function writeSeededModel(root: string, seed: number): string[] {
  const rng = new Rng(seed);
  const names = [
    'config.json',
    'weights.bin',
    'empty.txt',
    'layers/0/w.bin',
    'layers/0/b.bin',
    'layers/1/w.bin',
    'tok/vocab.txt',
  ];
  const chosen = names.filter((_, i) => i < 3 || rng.float() < 0.7);
  for (const name of chosen) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, name === 'empty.txt' ? Buffer.alloc(0) : seededBytes(rng, 1 + rng.int(5000)));
  }
  return chosen;
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { Rng } from '../../src/engine/rng.js';

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'antidote-registry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes seeded files (name → length) under `root` and returns it. */
export function writeFiles(root: string, seed: number, files: Record<string, number>): string {
  const rng = new Rng(seed);
  for (const [name, length] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(Uint8Array.from({ length }, () => rng.int(256))));
  }
  return root;
}

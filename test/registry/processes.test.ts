import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initRegistry, Registry } from '../../src/registry/registry.js';
import { verifyRegistry } from '../../src/registry/verify.js';
import { tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./child-add.ts', import.meta.url));
const dir = tempDir();

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exited(
  proc: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('registry with several writer processes', () => {
  it('4 processes adding at once: every version is there, numbered without gaps, and verify passes', async () => {
    const root = join(dir, 'concurrent');
    initRegistry(root);
    const perWriter = 4;
    const results = await Promise.all(
      [0, 1, 2, 3].map((tag) => exited(child([root, join(dir, 'work'), String(tag), String(perWriter)]))),
    );
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
    const registry = Registry.open(root);
    const shared = registry.versions('shared');
    expect(shared.map((v) => v.version)).toEqual(Array.from({ length: 4 * perWriter }, (_, i) => i + 1));
    expect(new Set(shared.map((v) => v.manifestDigest)).size).toBe(4 * perWriter);
    for (const tag of [0, 1, 2, 3]) expect(registry.versions(`own-${tag}`).length).toBe(perWriter);
    const verified = verifyRegistry(registry);
    expect(verified.problems).toEqual([]);
    expect(verified.checked.auditRows).toBe(1 + 8 * perWriter);
    registry.close();
  });
});

describe('registry after a writer is killed mid-add', () => {
  it('the half-written version is absent, its temporary file is not a blob, and verify passes', async () => {
    const root = join(dir, 'crash');
    initRegistry(root);
    const big = join(dir, 'big.bin');
    const fd = openSync(big, 'w');
    const chunk = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < 384; i++) {
      chunk.writeUInt32LE(i, 0); // distinct chunks, so nothing about the content is special
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const proc = child([root, big]);
    const done = exited(proc);
    const tmp = join(root, 'blobs', 'tmp');
    // Kill it once the blob copy is under way (its temporary file exists and has data).
    let killed = false;
    while (!killed) {
      const partial = readdirSync(tmp).some(
        (name) => statSync(join(tmp, name), { throwIfNoEntry: false })?.size,
      );
      if (partial) killed = proc.kill('SIGKILL');
      else if (proc.exitCode !== null) break;
      else await new Promise((r) => setTimeout(r, 5));
    }
    const { signal } = await done;
    expect(signal).toBe('SIGKILL');
    const registry = Registry.open(root);
    expect(registry.list()).toEqual([]);
    const verified = verifyRegistry(registry);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(verified.leftoverTempFiles).toBe(1);
    expect(verified.checked.blobs).toBe(0);
    registry.close();
  });
});

/** Weight diff and registry throughput: diff of two large safetensors files, registry add and verify. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../src/data/safetensors.js';
import { diffModelFiles } from '../src/defenses/integrity/weight-diff.js';
import { Rng } from '../src/engine/rng.js';
import { initRegistry, Registry } from '../src/registry/registry.js';
import { verifyRegistry } from '../src/registry/verify.js';
import { printTable } from './table.js';

function seconds(fn: () => void): number {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'antidote-bench-registry-'));
  try {
    const rng = new Rng(1);
    const rows: Record<string, string | number>[] = [];
    for (const millions of [4, 16]) {
      const n = millions * 1_000_000;
      const weights = Float32Array.from({ length: n }, () => rng.normal());
      const a = join(dir, `a${millions}.safetensors`);
      const b = join(dir, `b${millions}.safetensors`);
      writeFileSync(a, encodeSafetensors(new Map([['w', { shape: [n], data: weights }]])));
      const bits = new Uint32Array(weights.buffer);
      for (let k = 0; k < 100; k++) bits[rng.int(n)] ^= 1 << rng.int(32);
      writeFileSync(b, encodeSafetensors(new Map([['w', { shape: [n], data: weights }]])));
      let found = 0;
      const time = seconds(() => {
        found = diffModelFiles(a, b).summary.changedElements;
      });
      rows.push({
        floats: n,
        'MB each': (4 * n) / 1e6,
        'changed found': found,
        seconds: time,
        'MB/s': (8 * n) / 1e6 / time,
      });
    }
    printTable('weight diff: two float32 safetensors files, 100 planted bit flips', rows);

    const root = join(dir, 'registry');
    initRegistry(root);
    const registry = Registry.open(root);
    const file = join(dir, 'a16.safetensors');
    const add = seconds(() => registry.add({ kind: 'model', path: file, name: 'big' }));
    const again = seconds(() => registry.add({ kind: 'model', path: file, name: 'big' }));
    const verify = seconds(() => verifyRegistry(registry));
    registry.close();
    printTable('registry: one 64 MB model', [
      { step: 'add (copy + hash + fsync + transaction)', seconds: add, 'MB/s': 64 / add },
      { step: 'add again (unchanged, deduplicated)', seconds: again, 'MB/s': 64 / again },
      { step: 'verify (chain, signature, rehash all blobs)', seconds: verify, 'MB/s': 64 / verify },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

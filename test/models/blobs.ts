/** Test fixture: seeded Gaussian blobs, one per class, in d dimensions. */
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/rng.js';

export function blobs(n: number, d: number, numClasses: number, seed: number, spread = 1): Dataset {
  const rng = new Rng(seed);
  const centres = Array.from({ length: numClasses }, () => Array.from({ length: d }, () => rng.normal() * 3));
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % numClasses;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[y[i]][j] + rng.normal() * spread;
  }
  return { x: { shape: [n, d], data: x }, y, numClasses };
}

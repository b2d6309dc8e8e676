import { describe, expect, it } from 'vitest';
import {
  squaredDistanceMatrix,
  squaredDistancesToCombination,
} from '../../../src/defenses/federated/distances.js';
import { squaredDistance } from '../../../src/defenses/federated/rows.js';
import { matmul } from '../../../src/engine/kernels/index.js';
import { Rng } from '../../../src/engine/rng.js';
import { SEEDS } from './fixtures.js';

function exactDistances(rows: readonly Float32Array[]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = squaredDistance(rows[i], rows[j]);
  return out;
}

function maxRelativeError(got: Float64Array, want: Float64Array): number {
  let worst = 0;
  for (let k = 0; k < want.length; k++) {
    if (want[k] === 0) expect(got[k]).toBe(0);
    else worst = Math.max(worst, Math.abs(got[k] - want[k]) / want[k]);
  }
  return worst;
}

/** Rows around `offset` that differ from each other by about `spread`. */
function nearRows(rng: Rng, n: number, d: number, offset: number, spread: number): Float32Array[] {
  return Array.from({ length: n }, () =>
    Float32Array.from({ length: d }, () => offset + spread * rng.normal()),
  );
}

describe('squaredDistanceMatrix', () => {
  it('matches direct float64 differences on random rows', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const rows = nearRows(rng, 9, 300, 0, 1);
      expect(maxRelativeError(squaredDistanceMatrix(rows), exactDistances(rows))).toBeLessThan(1e-5);
    }
  });

  it('stays accurate for clients that differ by 1e-4 on an offset of 1e3', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const d = 500;
      const rows = nearRows(rng, 8, d, 1e3, 1e-4);
      const exact = exactDistances(rows);
      // The fixture is hard: the uncentred float32 Gram matrix gets these distances completely wrong.
      const gram = new Float32Array(64);
      const packed = new Float32Array(8 * d);
      rows.forEach((row, i) => {
        packed.set(row, i * d);
      });
      matmul(packed, packed, gram, 8, 8, d, { transB: true });
      const naive = Float64Array.from(exact, (_, k) => {
        const i = Math.floor(k / 8);
        const j = k % 8;
        return i === j ? 0 : Math.max(0, gram[i * 9] + gram[j * 9] - 2 * gram[k]);
      });
      expect(maxRelativeError(naive, exact)).toBeGreaterThan(0.1);
      expect(maxRelativeError(squaredDistanceMatrix(rows), exact)).toBeLessThan(1e-4);
    }
  });

  it('re-measures tight clusters that sit far apart, down to identical rows', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const d = 400;
      const honest = nearRows(rng, 6, d, 1e3, 1e-4);
      const twin = Float32Array.from({ length: d }, () => -1e3 + rng.normal());
      const attackers = [twin, twin.slice(), twin.slice()];
      const pair = nearRows(rng, 2, d, 5e2, 1e-3);
      const rows = [...honest, ...attackers, ...pair, nearRows(rng, 1, d, 0, 1)[0]];
      expect(maxRelativeError(squaredDistanceMatrix(rows), exactDistances(rows))).toBeLessThan(1e-4);
    }
  });

  it('handles a single row and identical rows', () => {
    expect(squaredDistanceMatrix([Float32Array.of(1, 2)])).toEqual(new Float64Array(1));
    const same = Float32Array.of(3, -4, 5);
    expect(squaredDistanceMatrix([same, same, same])).toEqual(new Float64Array(9));
  });
});

describe('squaredDistancesToCombination', () => {
  it('equals the distance to the explicitly formed combination', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const d = 50;
      const rows = nearRows(rng, 6, d, 0, 1);
      const raw = Array.from({ length: 6 }, () => rng.float());
      const total = raw.reduce((a, b) => a + b, 0);
      const w = raw.map((v) => v / total);
      const point = Array.from({ length: d }, (_, j) => rows.reduce((s, row, i) => s + w[i] * row[j], 0));
      const got = squaredDistancesToCombination(exactDistances(rows), 6, w);
      rows.forEach((row, i) => {
        expect(got[i]).toBeCloseTo(squaredDistance(row, point), 9);
      });
    }
  });
});

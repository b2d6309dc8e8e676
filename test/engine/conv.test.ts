import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { conv2d, maxPool2d } from '../../src/engine/conv.js';
import { sum } from '../../src/engine/ops.js';
import { Rng } from '../../src/engine/rng.js';
import { checkGradients, randomTensor } from './gradient-check.js';

/** conv2d written as the textbook 7-deep loop, for reference values. */
function naiveConv(
  x: Float32Array,
  [n, c, h, w]: number[],
  k: Float32Array,
  [f, , kh, kw]: number[],
  bias: Float32Array,
  [sh, sw]: number[],
  [ph, pw]: number[],
): Float32Array {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const out = new Float32Array(n * f * oh * ow);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < f; o++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let s = bias[o];
          for (let ch = 0; ch < c; ch++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - ph + i;
                const ix = xx * sw - pw + j;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                  s += x[((b * c + ch) * h + iy) * w + ix] * k[((o * c + ch) * kh + i) * kw + j];
              }
          out[((b * f + o) * oh + y) * ow + xx] = s;
        }
  return out;
}

const CASES = [
  { x: [1, 1, 3, 3], k: [1, 1, 2, 2], stride: [1, 1], padding: [0, 0] },
  { x: [2, 3, 7, 6], k: [4, 3, 3, 3], stride: [2, 2], padding: [1, 1] },
  { x: [2, 2, 8, 8], k: [3, 2, 5, 3], stride: [2, 1], padding: [2, 0] },
  { x: [3, 1, 5, 5], k: [2, 1, 1, 1], stride: [1, 1], padding: [0, 0] },
  // 81 output positions: runs long enough for the block-copy path of the layout change.
  { x: [2, 1, 9, 9], k: [2, 1, 3, 3], stride: [1, 1], padding: [1, 1] },
] as const;

describe('conv2d', () => {
  for (const seed of [1, 2, 3]) {
    for (const { x, k, stride, padding } of CASES) {
      it(`x[${x}] ⊛ k[${k}] stride ${stride} padding ${padding} matches the naive loop and finite differences (seed ${seed})`, () => {
        const rng = new Rng(seed);
        const inputs = [randomTensor([...x], rng), randomTensor([...k], rng), randomTensor([k[0]], rng)];
        const g = new Graph();
        const [xv, kv, bv] = inputs.map((t) => g.constant(t));
        const out = conv2d(xv, kv, bv, { stride, padding });
        const expected = naiveConv(
          inputs[0].data,
          [...x],
          inputs[1].data,
          [...k],
          inputs[2].data,
          [...stride],
          [...padding],
        );
        expect(out.size).toBe(expected.length);
        out.data.forEach((v, i) => {
          expect(v).toBeCloseTo(expected[i], 4);
        });
        checkGradients(([a, b, c]) => conv2d(a, b, c, { stride, padding }), inputs, { seed });
        checkGradients(([a, b]) => conv2d(a, b, null, { stride, padding }), inputs.slice(0, 2), { seed });
      });
    }
  }

  it('rejects a kernel that does not fit', () => {
    const g = new Graph();
    const x = g.constant({ shape: [1, 1, 2, 2], data: new Float32Array(4) });
    const k = g.constant({ shape: [1, 1, 3, 3], data: new Float32Array(9) });
    expect(() => conv2d(x, k, null, { stride: [1, 1] })).toThrow(/does not fit/);
  });
});

describe('maxPool2d', () => {
  /** Distinct values spaced ≥ 0.1 apart, so a ±0.01 step never changes which element is the maximum. */
  function distinctTensor(shape: number[], rng: Rng) {
    const size = shape.reduce((a, b) => a * b, 1);
    const perm = rng.permutation(size);
    return { shape, data: Float32Array.from(perm, (p) => p * 0.1 - size * 0.05) };
  }

  for (const seed of [1, 2, 3]) {
    for (const [shape, pool, stride] of [
      [
        [2, 3, 4, 4],
        [2, 2],
        [2, 2],
      ],
      [
        [1, 2, 5, 7],
        [3, 2],
        [2, 3],
      ],
      [
        [2, 1, 5, 5],
        [3, 3],
        [1, 1],
      ],
    ] as const) {
      it(`[${shape}] pool ${pool} stride ${stride} matches finite differences (seed ${seed})`, () => {
        const rng = new Rng(seed);
        checkGradients(([x]) => maxPool2d(x, pool, stride), [distinctTensor([...shape], rng)], { seed });
      });
    }
  }

  it('computes window maxima', () => {
    const g = new Graph();
    const x = g.constant({ shape: [1, 1, 2, 4], data: Float32Array.of(1, 5, 2, 0, 3, 4, 8, 7) });
    const y = maxPool2d(x, [2, 2], [2, 2]);
    expect(y.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(y.data)).toEqual([5, 8]);
  });

  it('sends the gradient of a tie to the first maximum only, conserving its total', () => {
    const g = new Graph();
    // Window 1 has a three-way tie (the first at index 1); window 2 is constant.
    const x = g.variable({ shape: [1, 1, 2, 4], data: Float32Array.of(0, 3, 2, 2, 3, 3, 2, 2) });
    g.backward(sum(maxPool2d(x, [2, 2], [2, 2])));
    expect(Array.from(x.grad!)).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('at ties, matches the finite-difference derivative along a shift of every tied maximum together', () => {
    for (const seed of [4, 5, 6]) {
      const rng = new Rng(seed);
      // Small integers: most 2×2 windows hold a tie for their maximum.
      const data = Float32Array.from({ length: 36 }, () => Math.round(rng.float() * 2));
      const shape = [1, 1, 6, 6];
      const weights = Float32Array.from({ length: 9 }, () => rng.normal());
      const pooled = (values: Float32Array) => {
        const g = new Graph();
        return maxPool2d(g.constant({ shape, data: values }), [2, 2], [2, 2]).data;
      };
      const maxima = pooled(data);
      // Direction: +1 on every element equal to its window's maximum.
      const direction = data.map((v, i) =>
        v === maxima[Math.floor(i / 12) * 3 + Math.floor((i % 6) / 2)] ? 1 : 0,
      );
      const f = (t: number) =>
        pooled(data.map((v, i) => v + t * direction[i])).reduce((s, v, i) => s + v * weights[i], 0);
      const numeric = (f(0.01) - f(-0.01)) / 0.02;

      const g = new Graph();
      const x = g.variable({ shape, data });
      g.backward(maxPool2d(x, [2, 2], [2, 2]), { seed: weights });
      const analytic = x.grad!.reduce((s, v, i) => s + v * direction[i], 0);
      expect(analytic).toBeCloseTo(numeric, 4);
      // And each window sends its gradient to exactly one input.
      expect(x.grad!.filter((v) => v !== 0).length).toBe(weights.filter((w) => w !== 0).length);
    }
  });
});

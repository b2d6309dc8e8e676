import { afterAll, describe, expect, it } from 'vitest';
import { col2imReference, im2colReference } from '../../src/engine/kernels/reference.js';
import type { ConvGeometry } from '../../src/engine/kernels/types.js';
import { convOutputSize } from '../../src/engine/kernels/validate.js';
import { expectIdentical, expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

const variants = wasmVariants();
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});

function geometry(
  batch: number,
  channels: number,
  [height, width]: [number, number],
  [kernelH, kernelW]: [number, number],
  [strideH, strideW]: [number, number],
  [padH, padW]: [number, number],
): ConvGeometry {
  const outH = convOutputSize(height, kernelH, strideH, padH);
  const outW = convOutputSize(width, kernelW, strideW, padW);
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW };
}

const GEOMETRIES: ConvGeometry[] = [
  geometry(1, 1, [1, 1], [1, 1], [1, 1], [0, 0]),
  geometry(1, 1, [4, 4], [3, 3], [1, 1], [0, 0]),
  geometry(2, 3, [7, 5], [3, 2], [2, 1], [1, 0]),
  geometry(3, 2, [9, 11], [5, 5], [1, 2], [2, 2]),
  geometry(2, 4, [6, 6], [2, 2], [2, 2], [0, 0]),
  geometry(1, 2, [5, 8], [4, 3], [3, 3], [2, 1]),
];
const columnsOf = (g: ConvGeometry) => g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW;
const inputsOf = (g: ConvGeometry) => g.batch * g.channels * g.height * g.width;
const label = (g: ConvGeometry) =>
  `${g.batch}×${g.channels}×${g.height}×${g.width}, kernel ${g.kernelH}×${g.kernelW}, ` +
  `stride ${g.strideH}×${g.strideW}, pad ${g.padH}×${g.padW}`;

describe('im2col reference (known answer)', () => {
  it('lays out one row per output position and one column per (channel, ky, kx) tap', () => {
    // 1×1×3×3 input 1…9, 2×2 kernel, stride 1, no padding: 4 positions, each its 2×2 patch.
    const g = geometry(1, 1, [3, 3], [2, 2], [1, 1], [0, 0]);
    const cols = new Float32Array(16);
    im2colReference(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), g, cols);
    expect(Array.from(cols)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  });

  it('reads zeros in the padding', () => {
    // 1×1×1×1 input, 3×3 kernel, pad 1: the single position sees the input at its centre.
    const g = geometry(1, 1, [1, 1], [3, 3], [1, 1], [1, 1]);
    const cols = new Float32Array(9).fill(7);
    im2colReference(Float32Array.from([5]), g, cols);
    expect(Array.from(cols)).toEqual([0, 0, 0, 0, 5, 0, 0, 0, 0]);
  });
});

describe.each(variants)('im2col / col2im on $name', ({ kernels }) => {
  it.each(GEOMETRIES.map((g) => [label(g), g] as const))('match the reference for %s', (_, g) => {
    const input = randomArray(inputsOf(g), inputsOf(g));
    const expectedCols = new Float32Array(columnsOf(g));
    im2colReference(input, g, expectedCols);
    const cols = new Float32Array(columnsOf(g)).fill(Number.NaN);
    kernels.im2col(input, g, cols);
    expectIdentical(cols, expectedCols); // pure copies: exact

    const grad = randomArray(columnsOf(g) + 1, columnsOf(g));
    const base = randomArray(3, inputsOf(g));
    const expectedInput = base.slice();
    col2imReference(grad, g, expectedInput);
    const accumulated = base.slice();
    kernels.col2im(grad, g, accumulated);
    expectWithin(accumulated, expectedInput, 1e-6); // sums of up to kh·kw taps, same order
  });

  it('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>', () => {
    for (const g of GEOMETRIES) {
      const x = randomArray(21, inputsOf(g));
      const c = randomArray(22, columnsOf(g));
      const cols = new Float32Array(columnsOf(g));
      kernels.im2col(x, g, cols);
      const back = new Float32Array(inputsOf(g));
      kernels.col2im(c, g, back);
      let left = 0;
      let right = 0;
      for (let i = 0; i < cols.length; i++) left += cols[i] * c[i];
      for (let i = 0; i < x.length; i++) right += x[i] * back[i];
      expect(Math.abs(left - right)).toBeLessThan(1e-4 * (1 + Math.abs(left)));
    }
  });
});

import type { ConvGeometry } from './types.js';

// Argument checks for the kernel entry points. A wrong size is a bug in the caller, not bad user input, so
// these throw RangeError; without them a kernel would read past the data and return wrong numbers quietly.

/** Throws unless every value is a non-negative integer. */
export function checkSizes(kernel: string, sizes: Record<string, number>): void {
  for (const name in sizes) {
    const value = sizes[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${kernel}: ${name} must be a non-negative integer, got ${value}`);
    }
  }
}

/** Throws unless `array` holds at least `needed` values. */
export function checkLength(kernel: string, name: string, array: Float32Array, needed: number): void {
  if (!(array instanceof Float32Array)) throw new TypeError(`${kernel}: ${name} must be a Float32Array`);
  if (array.length < needed) {
    throw new RangeError(`${kernel}: ${name} has ${array.length} values, needs ${needed}`);
  }
}

/** Output extent of a window of `kernel` sliding with `stride` over `size` padded by `pad` on both sides. */
export function convOutputSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Throws unless the geometry describes a valid convolution with consistent output sizes. */
export function checkConvGeometry(kernel: string, g: ConvGeometry): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW } = g;
  checkSizes(kernel, {
    batch,
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padH,
    padW,
    outH,
    outW,
  });
  if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
    throw new RangeError(`${kernel}: kernel and stride sizes must be at least 1`);
  }
  const expectH = convOutputSize(height, kernelH, strideH, padH);
  const expectW = convOutputSize(width, kernelW, strideW, padW);
  if (expectH < 1 || expectW < 1) {
    throw new RangeError(
      `${kernel}: a ${kernelH}×${kernelW} kernel does not fit a padded ${height}×${width} input`,
    );
  }
  if (outH !== expectH || outW !== expectW) {
    throw new RangeError(
      `${kernel}: output ${outH}×${outW} should be ${expectH}×${expectW} for this geometry`,
    );
  }
}

/** Throws unless every column mean is finite: a NaN or infinity anywhere in the data makes its mean so. */
export function checkFiniteMeans(kernel: string, means: ArrayLike<number>): void {
  for (let j = 0; j < means.length; j++) {
    if (!Number.isFinite(means[j]))
      throw new RangeError(`${kernel}: column ${j} of the data holds NaN or infinity`);
  }
}

/** Throws unless every row's squared norm is finite, naming the first row whose values are not. */
export function checkFiniteRows(kernel: string, name: string, squaredNorms: ArrayLike<number>): void {
  for (let i = 0; i < squaredNorms.length; i++) {
    if (!Number.isFinite(squaredNorms[i])) {
      throw new RangeError(
        `${kernel}: row ${i} of ${name} holds NaN or infinity (or values too large to square)`,
      );
    }
  }
}

/** Throws, naming the first vector that holds NaN or infinity. */
export function checkFiniteVectors(kernel: string, vectors: readonly Float32Array[]): void {
  const bad = vectors.findIndex((v) => !v.every(Number.isFinite));
  if (bad >= 0) throw new RangeError(`${kernel}: vector ${bad} holds NaN or infinity`);
}

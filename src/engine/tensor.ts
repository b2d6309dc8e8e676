/** A dense row-major float32 tensor. The engine's autodiff wraps these in graph nodes. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data?: Float32Array): Tensor {
  const size = sizeOf(shape);
  if (data !== undefined && data.length !== size) {
    throw new RangeError(`tensor: shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
  }
  return { shape: [...shape], data: data ?? new Float32Array(size) };
}

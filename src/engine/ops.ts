/**
 * Elementwise, activation, reduction and shape operations with their gradients. Binary operations broadcast
 * like NumPy (shapes aligned on the right; a dimension of 1 or a missing one repeats).
 */
import type { Var } from './autograd.js';
import { sizeOf } from './tensor.js';

export function add(a: Var, b: Var): Var {
  return binary(a, b, 'add');
}

export function sub(a: Var, b: Var): Var {
  return binary(a, b, 'sub');
}

export function mul(a: Var, b: Var): Var {
  return binary(a, b, 'mul');
}

/** x · factor. */
export function scale(x: Var, factor: number): Var {
  return elementwise(
    x,
    (v) => v * factor,
    () => factor,
  );
}

/** max(x, 0). Written out rather than through `elementwise`: it is on every network's hot path. */
export function relu(x: Var): Var {
  const g = x.graph;
  const out = g.node(x.shape, [x]);
  const xd = x.data;
  const yd = out.data;
  for (let i = 0; i < xd.length; i++) yd[i] = Math.max(xd[i], 0);
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    for (let i = 0; i < gy.length; i++) if (yd[i] > 0) gx[i] += gy[i];
  });
  return out;
}

export function sigmoid(x: Var): Var {
  return elementwise(
    x,
    // Written so that exp never overflows: for v < 0, 1 / (1 + e^-v) = e^v / (1 + e^v).
    (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
    (y) => y * (1 - y),
  );
}

export function tanh(x: Var): Var {
  return elementwise(x, Math.tanh, (y) => 1 - y * y);
}

/** Softmax over the last dimension. */
export function softmax(x: Var): Var {
  const g = x.graph;
  const out = g.node(x.shape, [x]);
  const k = x.shape[x.shape.length - 1];
  const rows = x.size / k;
  const xd = x.data;
  const yd = out.data;
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (xd[o + j] > max) max = xd[o + j];
    let total = 0;
    for (let j = 0; j < k; j++) total += yd[o + j] = Math.exp(xd[o + j] - max);
    for (let j = 0; j < k; j++) yd[o + j] /= total;
  }
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    // dx_j = y_j (dy_j − Σ_i dy_i y_i)
    for (let r = 0; r < rows; r++) {
      const o = r * k;
      let dot = 0;
      for (let j = 0; j < k; j++) dot += gy[o + j] * yd[o + j];
      for (let j = 0; j < k; j++) gx[o + j] += yd[o + j] * (gy[o + j] - dot);
    }
  });
  return out;
}

/** Sum of all elements, a scalar (shape []). */
export function sum(x: Var): Var {
  return reduceAll(x, 1);
}

/** Mean of all elements, a scalar (shape []). */
export function mean(x: Var): Var {
  return reduceAll(x, 1 / x.size);
}

/** The same values seen with another shape (no copy). One dimension may be -1 (inferred). */
export function reshape(x: Var, shape: readonly number[]): Var {
  const g = x.graph;
  const out = g.node(resolveShape(shape, x.size), [x], x.data);
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    for (let i = 0; i < gy.length; i++) gx[i] += gy[i];
  });
  return out;
}

/** [n, …] → [n, rest]. */
export function flatten(x: Var): Var {
  return reshape(x, [x.shape[0], -1]);
}

function resolveShape(shape: readonly number[], size: number): number[] {
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const resolved = shape.map((d) => (d === -1 ? size / known : d));
  if (
    shape.filter((d) => d === -1).length > 1 ||
    sizeOf(resolved) !== size ||
    !resolved.every(Number.isInteger)
  ) {
    throw new RangeError(`reshape: cannot view ${size} values as [${shape.join(', ')}]`);
  }
  return resolved;
}

/** y = f(x) elementwise, with f' written in terms of y (and x where needed). */
function elementwise(x: Var, f: (v: number) => number, derivative: (y: number, x: number) => number): Var {
  const g = x.graph;
  const out = g.node(x.shape, [x]);
  const xd = x.data;
  const yd = out.data;
  for (let i = 0; i < xd.length; i++) yd[i] = f(xd[i]);
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    for (let i = 0; i < gy.length; i++) gx[i] += gy[i] * derivative(yd[i], xd[i]);
  });
  return out;
}

function reduceAll(x: Var, factor: number): Var {
  const g = x.graph;
  const out = g.node([], [x]);
  let total = 0;
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) total += xd[i];
  out.data[0] = total * factor;
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    const d = gy[0] * factor;
    for (let i = 0; i < gx.length; i++) gx[i] += d;
  });
  return out;
}

type BinaryKind = 'add' | 'sub' | 'mul';

/**
 * After broadcasting, each operand either has the output's shape or repeats along its leading dimensions
 * (a per-feature vector, a scalar), so the output is walked in blocks of the smaller operand's size with no
 * index arithmetic per element. Other broadcasts first expand the operand with `broadcastTo`.
 */
function binary(a: Var, b: Var, kind: BinaryKind): Var {
  const g = a.graph;
  const shape = broadcastShape(a.shape, b.shape);
  if (!repeatsAlongLeading(a.shape, shape)) a = broadcastTo(a, shape);
  if (!repeatsAlongLeading(b.shape, shape)) b = broadcastTo(b, shape);
  const out = g.node(shape, [a, b]);
  const n = out.size;
  const block = Math.min(a.size, b.size);
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  for (let base = 0; base < n; base += block) {
    const ab = a.size === n ? base : 0;
    const bb = b.size === n ? base : 0;
    if (kind === 'add') for (let j = 0; j < block; j++) od[base + j] = ad[ab + j] + bd[bb + j];
    else if (kind === 'sub') for (let j = 0; j < block; j++) od[base + j] = ad[ab + j] - bd[bb + j];
    else for (let j = 0; j < block; j++) od[base + j] = ad[ab + j] * bd[bb + j];
  }
  g.onBackward(out, (gy) => {
    const ga = a.requiresGrad ? g.gradOf(a) : null;
    const gb = b.requiresGrad ? g.gradOf(b) : null;
    const bSign = kind === 'sub' ? -1 : 1;
    for (let base = 0; base < n; base += block) {
      const ab = a.size === n ? base : 0;
      const bb = b.size === n ? base : 0;
      if (ga !== null) {
        if (kind === 'mul') for (let j = 0; j < block; j++) ga[ab + j] += gy[base + j] * bd[bb + j];
        else for (let j = 0; j < block; j++) ga[ab + j] += gy[base + j];
      }
      if (gb !== null) {
        if (kind === 'mul') for (let j = 0; j < block; j++) gb[bb + j] += gy[base + j] * ad[ab + j];
        else for (let j = 0; j < block; j++) gb[bb + j] += bSign * gy[base + j];
      }
    }
  });
  return out;
}

/** x repeated (NumPy broadcasting) to `shape`; its gradient sums over the repeats. */
export function broadcastTo(x: Var, shape: readonly number[]): Var {
  const g = x.graph;
  if (!sameShape(broadcastShape(x.shape, shape), shape)) {
    throw new RangeError(`cannot broadcast [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  const out = g.node(shape, [x]);
  const offsets = broadcastOffsets(shape, x.shape, g.allocInt32(out.size));
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = xd[offsets[i]];
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    for (let i = 0; i < gy.length; i++) gx[offsets[i]] += gy[i];
  });
  return out;
}

/** Whether `inShape` (leading 1s aside) is the trailing part of `outShape`: element i reads i mod its size. */
function repeatsAlongLeading(inShape: readonly number[], outShape: readonly number[]): boolean {
  const first = inShape.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : inShape.slice(first);
  return core.length <= outShape.length && sameShape(core, outShape.slice(outShape.length - core.length));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`cannot broadcast shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    }
    shape.push(da === 1 ? db : da);
  }
  return shape;
}

/** For every element of `outShape` (row-major), the offset of the element of `inShape` broadcast onto it. */
function broadcastOffsets(
  outShape: readonly number[],
  inShape: readonly number[],
  offsets: Int32Array,
): Int32Array {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    const od = rank - inShape.length + d;
    strides[od] = inShape[d] === 1 ? 0 : stride;
    stride *= inShape[d];
  }
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < offsets.length; i++) {
    offsets[i] = offset;
    // Odometer increment of the multi-index, updating the input offset incrementally.
    for (let d = rank - 1; d >= 0; d--) {
      offset += strides[d];
      if (++index[d] < outShape[d]) break;
      offset -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

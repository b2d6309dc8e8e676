/**
 * Second-order calculus of a fitted softmax regression, for influence-based poisoning (Koh & Liang 2017;
 * Koh, Steinhardt & Liang 2018): Hessian-vector products of the training loss, a conjugate-gradient solve
 * of H v = g, and the gradient with respect to a training point of its loss gradient's inner product with v.
 * The engine supplies first derivatives only; a linear model's second derivatives are closed forms.
 *
 * The model sees standardised inputs z = (x − mean) / std; logits = z W + b with W [d, K].
 */
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';

export interface LinearSoftmax {
  d: number;
  k: number;
  /** [d, K], row-major, float64. */
  weight: Float64Array;
  bias: Float64Array;
  mean: Float64Array;
  invStd: Float64Array;
}

/** The linear model inside a softmax-regression snapshot ([flatten], dense, softmax). */
export function linearSoftmaxOf(snapshot: ModelSnapshot): LinearSoftmax {
  const { layers, standardization } = snapshot.architecture;
  const denseAt = layers.findIndex((l) => l.type === 'dense');
  const others = layers.filter((l, i) => i !== denseAt && l.type !== 'flatten' && l.type !== 'softmax');
  const dense = layers[denseAt];
  if (dense?.type !== 'dense' || others.length > 0 || layers.filter((l) => l.type === 'dense').length !== 1) {
    throw new InputError('the surrogate must be a softmax regression (one dense layer, then softmax)', {
      field: 'layers',
    });
  }
  const weight = snapshot.weights.get(`layers.${denseAt}.weight`)!.data;
  const bias = snapshot.weights.get(`layers.${denseAt}.bias`)?.data ?? new Float32Array(dense.units);
  const d = dense.inputs;
  return {
    d,
    k: dense.units,
    weight: Float64Array.from(weight),
    bias: Float64Array.from(bias),
    mean: standardization ? Float64Array.from(standardization.mean) : new Float64Array(d),
    invStd: standardization
      ? Float64Array.from(standardization.std, (s) => 1 / s)
      : new Float64Array(d).fill(1),
  };
}

/** Standardised copies of the rows of x (n × d). */
export function standardize(model: LinearSoftmax, x: Float32Array): Float64Array {
  const z = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % model.d;
    z[i] = (x[i] - model.mean[j]) * model.invStd[j];
  }
  return z;
}

/** Softmax probabilities of every standardised row, n × K. */
export function probabilities(model: LinearSoftmax, z: Float64Array): Float64Array {
  const { d, k } = model;
  const n = z.length / d;
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = p.subarray(i * k, (i + 1) * k);
    row.set(model.bias);
    for (let j = 0; j < d; j++) {
      const zj = z[i * d + j];
      if (zj === 0) continue;
      for (let c = 0; c < k; c++) row[c] += zj * model.weight[j * k + c];
    }
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += row[c] = Math.exp(row[c] - max);
    for (let c = 0; c < k; c++) row[c] /= sum;
  }
  return p;
}

/** Mean cross-entropy and its gradient with respect to (W, b), packed as d·K weight entries then K bias entries. */
export function lossAndGradient(
  model: LinearSoftmax,
  z: Float64Array,
  p: Float64Array,
  y: Int32Array,
): { loss: number; gradient: Float64Array } {
  const { d, k } = model;
  const n = y.length;
  const gradient = new Float64Array(d * k + k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    loss -= Math.log(Math.max(p[i * k + y[i]], Number.MIN_VALUE));
    for (let c = 0; c < k; c++) {
      const r = (p[i * k + c] - (c === y[i] ? 1 : 0)) / n;
      gradient[d * k + c] += r;
      for (let j = 0; j < d; j++) gradient[j * k + c] += z[i * d + j] * r;
    }
  }
  return { loss: loss / n, gradient };
}

/**
 * (H + λI) v for the Hessian H of the mean cross-entropy over the rows z (probabilities p):
 * H v = (1/n) Σᵢ [zᵢ; 1] ⊗ (diag(pᵢ) − pᵢpᵢᵀ)(Vᵀzᵢ + v_b).
 */
export function hessianVectorProduct(
  model: LinearSoftmax,
  z: Float64Array,
  p: Float64Array,
  v: Float64Array,
  damping: number,
): Float64Array {
  const { d, k } = model;
  const n = p.length / k;
  const out = new Float64Array(v.length);
  const a = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const zi = i * d;
    const pi = i * k;
    for (let c = 0; c < k; c++) a[c] = v[d * k + c];
    for (let j = 0; j < d; j++) {
      const zj = z[zi + j];
      if (zj !== 0) for (let c = 0; c < k; c++) a[c] += zj * v[j * k + c];
    }
    // a ← (diag(p) − ppᵀ) a / n, in place
    let pa = 0;
    for (let c = 0; c < k; c++) pa += p[pi + c] * a[c];
    for (let c = 0; c < k; c++) a[c] = (p[pi + c] * (a[c] - pa)) / n;
    for (let c = 0; c < k; c++) out[d * k + c] += a[c];
    for (let j = 0; j < d; j++) {
      const zj = z[zi + j];
      if (zj !== 0) for (let c = 0; c < k; c++) out[j * k + c] += zj * a[c];
    }
  }
  for (let q = 0; q < v.length; q++) out[q] += damping * v[q];
  return out;
}

/** (diag(p) − ppᵀ) a, the softmax's Jacobian applied to a. */
function curvature(p: Float64Array, a: Float64Array): Float64Array {
  let pa = 0;
  for (let c = 0; c < p.length; c++) pa += p[c] * a[c];
  return p.map((pc, c) => pc * (a[c] - pa));
}

/**
 * Solves A v = g for a symmetric positive definite A given as a product, by conjugate gradients, to a
 * residual of `tolerance` relative to g (a search direction needs no more).
 */
export function conjugateGradient(
  apply: (v: Float64Array) => Float64Array,
  g: Float64Array,
  { iterations = 100, tolerance = 1e-6 } = {},
): Float64Array {
  const v = new Float64Array(g.length);
  const r = g.slice();
  const direction = g.slice();
  let rr = dot(r, r);
  const stop = tolerance * tolerance * rr;
  for (let it = 0; it < iterations && rr > stop; it++) {
    const ad = apply(direction);
    const alpha = rr / dot(direction, ad);
    for (let q = 0; q < v.length; q++) {
      v[q] += alpha * direction[q];
      r[q] -= alpha * ad[q];
    }
    const next = dot(r, r);
    for (let q = 0; q < v.length; q++) direction[q] = r[q] + (next / rr) * direction[q];
    rr = next;
  }
  return v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let q = 0; q < a.length; q++) s += a[q] * b[q];
  return s;
}

/**
 * ∇ₓ of vᵀ∇_θ ℓ(x, y) for one raw input x (standardised z, probabilities p): with a = Vᵀz + v_b,
 * ∇_z = V(p − e_y) + W (diag(p) − ppᵀ) a, then divided by the feature scales.
 */
export function mixedGradient(
  model: LinearSoftmax,
  z: Float64Array,
  p: Float64Array,
  label: number,
  v: Float64Array,
): Float64Array {
  const { d, k } = model;
  const a = v.slice(d * k);
  for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) a[c] += z[j] * v[j * k + c];
  const s = curvature(p, a);
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let c = 0; c < k; c++)
      sum += v[j * k + c] * (p[c] - (c === label ? 1 : 0)) + model.weight[j * k + c] * s[c];
    out[j] = sum * model.invStd[j];
  }
  return out;
}

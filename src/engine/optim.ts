/**
 * Optimizers. Each updates the trainable parameters in place from their `grad` buffers (the caller zeroes
 * those between steps). Weight decay λ comes in two flavours, chosen with `decoupledWeightDecay`:
 * - false (default, "L2"): λ·w is added to the gradient, so it also feeds momentum / Adam's moments — the
 *   behaviour of PyTorch's SGD and Adam `weight_decay`;
 * - true ("decoupled", Loshchilov & Hutter 2019): w shrinks by lr·λ·w outside the gradient statistics — SGDW
 *   and AdamW.
 */
import type { Parameter } from './autograd.js';

export interface Optimizer {
  /** Applies one update from the current gradients. */
  step(): void;
  /** May be changed between steps (learning-rate schedules). */
  learningRate: number;
}

export interface WeightDecayOptions {
  /** λ ≥ 0 (default 0). */
  weightDecay?: number;
  /** Decoupled (SGDW/AdamW) instead of L2 (default false). */
  decoupledWeightDecay?: boolean;
}

export interface SgdOptions extends WeightDecayOptions {
  learningRate: number;
  /** Heavy-ball momentum μ in [0, 1) (default 0): v ← μv + g, w ← w − lr·v (PyTorch's convention). */
  momentum?: number;
}

export interface AdamOptions extends WeightDecayOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
}

/** Stochastic gradient descent with optional momentum. */
export class Sgd implements Optimizer {
  learningRate: number;
  private readonly momentum: number;
  private readonly decay: WeightDecay;
  private readonly velocity: Float32Array[];

  constructor(
    private readonly parameters: readonly Parameter[],
    options: SgdOptions,
  ) {
    this.learningRate = checkRate(options.learningRate);
    this.momentum = checkUnitInterval('momentum', options.momentum ?? 0);
    this.decay = weightDecay(options);
    this.velocity = parameters.map((p) => new Float32Array(this.momentum > 0 ? p.grad.length : 0));
  }

  step(): void {
    const { l2, decoupled } = this.decay;
    this.parameters.forEach((p, index) => {
      if (p.trainable)
        sgdUpdate(
          p.value.data,
          p.grad,
          this.velocity[index],
          this.learningRate,
          this.momentum,
          l2,
          decoupled,
        );
    });
  }
}

/** Adam (Kingma & Ba 2015) with bias-corrected moments; AdamW with `decoupledWeightDecay`. */
export class Adam implements Optimizer {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly decay: WeightDecay;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private steps = 0;

  constructor(
    private readonly parameters: readonly Parameter[],
    options: AdamOptions = {},
  ) {
    this.learningRate = checkRate(options.learningRate ?? 0.001);
    this.beta1 = checkUnitInterval('beta1', options.beta1 ?? 0.9);
    this.beta2 = checkUnitInterval('beta2', options.beta2 ?? 0.999);
    this.epsilon = options.epsilon ?? 1e-8;
    if (!(this.epsilon > 0)) throw new RangeError(`Adam: epsilon must be > 0, got ${this.epsilon}`);
    this.decay = weightDecay(options);
    this.m = parameters.map((p) => new Float32Array(p.grad.length));
    this.v = parameters.map((p) => new Float32Array(p.grad.length));
  }

  step(): void {
    this.steps++;
    const { beta1, beta2, epsilon, learningRate } = this;
    const { l2, decoupled } = this.decay;
    const rates: AdamRates = {
      beta1,
      beta2,
      epsilon,
      l2,
      stepSize: learningRate / (1 - beta1 ** this.steps),
      secondCorrection: 1 / Math.sqrt(1 - beta2 ** this.steps),
      shrink: 1 - learningRate * decoupled,
    };
    this.parameters.forEach((p, index) => {
      if (p.trainable) adamUpdate(p.value.data, p.grad, this.m[index], this.v[index], rates);
    });
  }
}

// The update loops are top-level functions with plain arguments so that V8 optimises them once for all
// parameters (a closure over the optimizer's fields ran several times slower).

function sgdUpdate(
  w: Float32Array,
  grad: Float32Array,
  velocity: Float32Array,
  lr: number,
  momentum: number,
  l2: number,
  decoupled: number,
): void {
  for (let i = 0; i < w.length; i++) {
    let d = grad[i] + l2 * w[i];
    if (momentum > 0) d = velocity[i] = momentum * velocity[i] + d;
    w[i] -= lr * (d + decoupled * w[i]);
  }
}

interface AdamRates {
  beta1: number;
  beta2: number;
  epsilon: number;
  l2: number;
  /** lr / (1 − β₁ᵗ). */
  stepSize: number;
  /** 1 / √(1 − β₂ᵗ). */
  secondCorrection: number;
  /** 1 − lr·λ for decoupled decay, else 1. */
  shrink: number;
}

function adamUpdate(
  w: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  r: AdamRates,
): void {
  const { beta1, beta2, epsilon, l2, stepSize, secondCorrection, shrink } = r;
  for (let i = 0; i < w.length; i++) {
    const g = grad[i] + l2 * w[i];
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
    const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
    w[i] = w[i] * shrink - (stepSize * mi) / (Math.sqrt(vi) * secondCorrection + epsilon);
  }
}

/** The two ways λ enters an update; exactly one of them is non-zero. */
interface WeightDecay {
  l2: number;
  decoupled: number;
}

function weightDecay(options: WeightDecayOptions): WeightDecay {
  const lambda = options.weightDecay ?? 0;
  if (!(lambda >= 0 && Number.isFinite(lambda)))
    throw new RangeError(`weight decay must be ≥ 0, got ${lambda}`);
  return options.decoupledWeightDecay ? { l2: 0, decoupled: lambda } : { l2: lambda, decoupled: 0 };
}

function checkRate(rate: number): number {
  if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`learning rate must be > 0, got ${rate}`);
  return rate;
}

function checkUnitInterval(name: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be in [0, 1), got ${value}`);
  return value;
}

/**
 * Attacks by malicious federated clients that shape their update from statistics of honest updates: A Little
 * Is Enough (Baruch et al. 2019), Inner Product Manipulation (Xie et al. 2019), Min-Max and Min-Sum
 * (Shejwalkar & Houmansadr 2021). The statistics come from every honest update ('omniscient', the default
 * and the strongest attacker) or only from the honest updates of the malicious clients themselves
 * ('partial'). All malicious clients send the same crafted update.
 */
import type { ClientUpdate } from '../defenses/federated/types.js';
import { pairwiseSquaredDistances } from '../engine/kernels/index.js';
import { InputError } from '../errors.js';
import { normalQuantile } from './normal-quantile.js';
import { type MaliciousClients, positive } from './update-blind.js';
import { maliciousPositions, replaceUpdates, type UpdateAttackResult } from './update-truth.js';

export interface InformedAttackOptions extends MaliciousClients {
  knowledge?: 'omniscient' | 'partial';
}

/**
 * ALIE: μ − z·σ per coordinate (μ, σ: mean and standard deviation of the reference updates). The default z
 * is the paper's z_max = Φ⁻¹((n − s) / n) with s = ⌊n/2 + 1⌋ − m, the largest shift that still leaves the
 * malicious update inside the majority a robust aggregator trusts.
 */
export function alieUpdates(
  updates: readonly ClientUpdate[],
  opts: InformedAttackOptions & { z?: number },
): UpdateAttackResult {
  const n = updates.length;
  const m = opts.malicious.length;
  const s = Math.floor(n / 2 + 1) - m;
  const z = opts.z ?? normalQuantile((n - s) / n);
  if (!Number.isFinite(z)) throw new InputError(`z must be a finite number, got ${z}`, { field: 'z' });
  return informed(updates, opts, 'alie', { z }, 2, ({ mean, std }) => ({
    update: mean.map((mu, j) => mu - z * std[j]),
  }));
}

/** IPM: −ε · μ, an update whose inner product with the true mean is negative (ε default 0.5). */
export function ipmUpdates(
  updates: readonly ClientUpdate[],
  opts: InformedAttackOptions & { epsilon?: number },
): UpdateAttackResult {
  const epsilon = positive(opts.epsilon ?? 0.5, 'epsilon');
  return informed(updates, opts, 'ipm', { epsilon }, 1, ({ mean }) => ({
    update: mean.map((mu) => -epsilon * mu),
  }));
}

/**
 * The perturbation direction of Min-Max / Min-Sum: μ/‖μ‖ (the default, as in the authors' code), sign(μ) or
 * σ; the attack sends μ − γ · direction.
 */
export type Deviation = 'unit-vector' | 'sign' | 'std';

export interface MinMaxOptions extends InformedAttackOptions {
  deviation?: Deviation;
  /** Start of the search for γ and its resolution (the paper's γ_init = 10 and τ = 1e-5). */
  gammaInit?: number;
  tolerance?: number;
}

/**
 * Min-Max: the largest γ such that the crafted update's distance to every reference update stays within the
 * largest distance between two reference updates — it never looks like the outlier.
 */
export function minMaxUpdates(updates: readonly ClientUpdate[], opts: MinMaxOptions): UpdateAttackResult {
  return optimizedDeviation(
    updates,
    opts,
    'min-max',
    (distances, pairwise) => Math.max(...distances) <= Math.max(...pairwise.map((row) => Math.max(...row))),
  );
}

/**
 * Min-Sum: the largest γ such that the crafted update's sum of squared distances to the reference updates
 * stays within the largest such sum of any reference update.
 */
export function minSumUpdates(updates: readonly ClientUpdate[], opts: MinMaxOptions): UpdateAttackResult {
  return optimizedDeviation(
    updates,
    opts,
    'min-sum',
    (distances, pairwise) => sum(distances) <= Math.max(...pairwise.map(sum)),
  );
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

interface Statistics {
  reference: Float32Array[];
  mean: Float64Array;
  std: Float64Array;
}

/** Squared distances: from the candidate to each reference update, and between reference updates. */
type Acceptable = (distances: number[], pairwise: number[][]) => boolean;

function optimizedDeviation(
  updates: readonly ClientUpdate[],
  opts: MinMaxOptions,
  attack: string,
  acceptable: Acceptable,
): UpdateAttackResult {
  const deviation = opts.deviation ?? 'unit-vector';
  const gammaInit = positive(opts.gammaInit ?? 10, 'gammaInit');
  const tolerance = positive(opts.tolerance ?? 1e-5, 'tolerance');
  return informed(updates, opts, attack, { deviation, gammaInit, tolerance }, 2, (stats) => {
    const direction = deviationVector(stats, deviation);
    const gamma = searchGamma(stats, direction, gammaInit, tolerance, acceptable);
    return { update: stats.mean.map((mu, j) => mu - gamma * direction[j]), info: { gamma } };
  });
}

function deviationVector({ mean, std }: Statistics, deviation: Deviation): Float64Array {
  switch (deviation) {
    case 'unit-vector': {
      const norm = Math.sqrt(mean.reduce((a, v) => a + v * v, 0));
      return mean.map((v) => (norm > 0 ? v / norm : 0));
    }
    case 'sign':
      return mean.map(Math.sign);
    case 'std':
      return std.slice();
    default:
      throw new InputError(`unknown deviation "${deviation}" (unit-vector, sign or std)`, {
        field: 'deviation',
      });
  }
}

/**
 * The paper's search (Algorithm 1 of Shejwalkar & Houmansadr): move γ up by half the step after a success,
 * down after a failure, halving the step until it is below the tolerance; returns the last successful γ.
 * Distances to μ − γ·δ are evaluated from precomputed inner products, O(r) per candidate γ.
 */
function searchGamma(
  stats: Statistics,
  direction: Float64Array,
  gammaInit: number,
  tolerance: number,
  acceptable: Acceptable,
): number {
  const { reference, mean } = stats;
  const r = reference.length;
  // ‖μ − γδ − u_i‖² = ‖μ − u_i‖² − 2γ⟨δ, μ − u_i⟩ + γ²‖δ‖²
  const meanDistance = new Float64Array(r);
  const alongDirection = new Float64Array(r);
  let directionNorm = 0;
  for (let j = 0; j < mean.length; j++) directionNorm += direction[j] * direction[j];
  reference.forEach((u, i) => {
    let dd = 0;
    let dp = 0;
    for (let j = 0; j < mean.length; j++) {
      const diff = mean[j] - u[j];
      dd += diff * diff;
      dp += direction[j] * diff;
    }
    meanDistance[i] = dd;
    alongDirection[i] = dp;
  });
  const pairwise = referenceDistances(reference);
  const distancesAt = (gamma: number) =>
    Array.from(meanDistance, (dd, i) => dd - 2 * gamma * alongDirection[i] + gamma * gamma * directionNorm);
  let gamma = gammaInit;
  let step = gammaInit;
  let success = 0;
  while (Math.abs(success - gamma) > tolerance) {
    if (acceptable(distancesAt(gamma), pairwise)) {
      success = gamma;
      gamma += step / 2;
    } else {
      gamma -= step / 2;
    }
    step /= 2;
  }
  return success;
}

/** Squared distances between the reference updates, r × r, through the engine's distance kernel. */
function referenceDistances(reference: Float32Array[]): number[][] {
  const r = reference.length;
  const d = reference[0].length;
  const packed = new Float32Array(r * d);
  reference.forEach((u, i) => {
    packed.set(u, i * d);
  });
  const distances = pairwiseSquaredDistances(packed, r, d);
  return Array.from({ length: r }, (_, i) => Array.from(distances.subarray(i * r, (i + 1) * r)));
}

function informed(
  updates: readonly ClientUpdate[],
  opts: InformedAttackOptions,
  attack: string,
  params: Record<string, number | string>,
  minReference: number,
  craft: (stats: Statistics) => { update: Float64Array; info?: Record<string, number> },
): UpdateAttackResult {
  const knowledge = opts.knowledge ?? 'omniscient';
  if (knowledge !== 'omniscient' && knowledge !== 'partial') {
    throw new InputError(`knowledge must be omniscient or partial, got "${knowledge}"`, {
      field: 'knowledge',
    });
  }
  const positions = maliciousPositions(updates, opts.malicious);
  if (positions.length === 0) throw new InputError('no malicious clients given', { field: 'malicious' });
  const seen = knowledge === 'omniscient' ? updates : positions.map((i) => updates[i]);
  checkReference(seen);
  const reference = seen.map((u) => u.update);
  if (reference.length < minReference) {
    throw new InputError(
      `${attack} needs at least ${minReference} reference updates, ${knowledge} knowledge gives ${reference.length}`,
      {
        field: 'malicious',
      },
    );
  }
  const { update, info } = craft(meanAndStd(reference));
  const crafted = Float32Array.from(update);
  const forged = new Map(positions.map((i) => [updates[i].id, crafted]));
  return replaceUpdates(updates, forged, { attack, seed: opts.seed ?? 0, knowledge, params }, info);
}

/** Equal lengths and finite values: statistics of anything else would be silently wrong. */
function checkReference(updates: readonly ClientUpdate[]): void {
  const d = updates[0]?.update.length;
  for (const { id, update } of updates) {
    if (update.length !== d) {
      throw new InputError(`the update has ${update.length} values, the first one ${d}`, { field: id });
    }
    const bad = update.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(`value ${update[bad]} at index ${bad} is not finite`, { field: id });
  }
}

/** Coordinate-wise mean and sample standard deviation (n − 1), accumulated in float64. */
function meanAndStd(reference: Float32Array[]): Statistics {
  const d = reference[0].length;
  const mean = new Float64Array(d);
  for (const u of reference) for (let j = 0; j < d; j++) mean[j] += u[j];
  for (let j = 0; j < d; j++) mean[j] /= reference.length;
  const variance = new Float64Array(d);
  for (const u of reference) {
    for (let j = 0; j < d; j++) {
      const diff = u[j] - mean[j];
      variance[j] += diff * diff;
    }
  }
  const denominator = Math.max(1, reference.length - 1);
  return { reference, mean, std: variance.map((v) => Math.sqrt(v / denominator)) };
}

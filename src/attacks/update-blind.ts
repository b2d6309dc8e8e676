/**
 * Attacks by malicious federated clients that need no honest update but possibly their own: sign flipping,
 * scaling (model replacement, Bagdasaryan et al. 2020) and Gaussian noise.
 */
import type { ClientUpdate } from '../defenses/federated/types.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import { maliciousPositions, replaceUpdates, type UpdateAttackResult } from './update-truth.js';

export interface MaliciousClients {
  /** Ids of the clients the attacker controls; their updates are replaced. */
  malicious: readonly string[];
  seed?: number;
}

/** Each malicious client sends −scale × its honest update (reversed gradient direction). */
export function signFlipUpdates(
  updates: readonly ClientUpdate[],
  opts: MaliciousClients & { scale?: number },
): UpdateAttackResult {
  const scale = positive(opts.scale ?? 1, 'scale');
  return transformOwn(updates, opts, (u) => u.map((v) => -scale * v), 'sign-flip', { scale });
}

/**
 * Each malicious client sends factor × its honest update. With the default factor n / m (n clients, m of
 * them malicious), plain averaging with server learning rate 1 ends up at the malicious clients' model: the
 * model-replacement boost of Bagdasaryan et al. 2020 (for server rate η use n / (η m)). Combine with a
 * backdoored local update (see `dataDrivenUpdates`) for the backdoor version of the paper.
 */
export function scaleUpdates(
  updates: readonly ClientUpdate[],
  opts: MaliciousClients & { factor?: number },
): UpdateAttackResult {
  const factor = positive(opts.factor ?? updates.length / Math.max(1, opts.malicious.length), 'factor');
  return transformOwn(updates, opts, (u) => u.map((v) => factor * v), 'scaling', { factor });
}

/** Each malicious client sends pure noise N(0, σ²) in every coordinate (the Byzantine "Gaussian" attack). */
export function gaussianNoiseUpdates(
  updates: readonly ClientUpdate[],
  opts: MaliciousClients & { sigma: number },
): UpdateAttackResult {
  const sigma = positive(opts.sigma, 'sigma');
  const seed = opts.seed ?? 0;
  const rng = new Rng(seed);
  const positions = maliciousPositions(updates, opts.malicious);
  const crafted = new Map<string, Float32Array>();
  for (const i of positions) {
    const noise = new Float32Array(updates[i].update.length);
    for (let j = 0; j < noise.length; j++) noise[j] = sigma * rng.normal();
    crafted.set(updates[i].id, noise);
  }
  return replaceUpdates(updates, crafted, {
    attack: 'gaussian-noise',
    seed,
    knowledge: 'none',
    params: { sigma },
  });
}

function transformOwn(
  updates: readonly ClientUpdate[],
  opts: MaliciousClients,
  transform: (u: Float32Array) => Float32Array,
  attack: string,
  params: Record<string, number>,
): UpdateAttackResult {
  const crafted = new Map<string, Float32Array>();
  for (const i of maliciousPositions(updates, opts.malicious))
    crafted.set(updates[i].id, transform(updates[i].update));
  return replaceUpdates(updates, crafted, { attack, seed: opts.seed ?? 0, knowledge: 'own-update', params });
}

export function positive(value: number, field: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new InputError(`${field} must be a positive number, got ${value}`, { field });
  return value;
}

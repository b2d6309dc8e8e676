import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';

/** Clients "a", "b", … (or the given ids) with the given rows as their updates. */
export function clients(rows: readonly number[][], ids?: readonly string[]): ClientUpdate[] {
  return rows.map((row, i) => ({
    id: ids?.[i] ?? String.fromCharCode(97 + i),
    update: Float32Array.from(row),
  }));
}

/** `n` clients `${prefix}0…` whose updates are centre + N(0, sigma²) per coordinate. */
export function gaussianClients(
  rng: Rng,
  n: number,
  centre: ArrayLike<number>,
  sigma: number,
  prefix = 'h',
): ClientUpdate[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    update: Float32Array.from(centre, (c) => c + sigma * rng.normal()),
  }));
}

/** A d-dimensional vector of N(0, sigma²) values. */
export function gaussianVector(rng: Rng, d: number, sigma = 1): Float32Array {
  return Float32Array.from({ length: d }, () => sigma * rng.normal());
}

/** A deep copy, to check that a rule left its input alone. */
export function copyUpdates(updates: readonly ClientUpdate[]): ClientUpdate[] {
  return updates.map((u) => ({ ...u, update: u.update.slice() }));
}

/** The same clients in a seeded random order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  return new Rng(seed).shuffle(copy);
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

export const SEEDS = [1, 2, 3, 42, 2024];

/** The first index where two arrays differ, or −1 (fast where `toEqual` on millions of values is not). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

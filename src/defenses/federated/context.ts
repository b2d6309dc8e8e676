import { Rng } from '../../engine/rng.js';
import type { AggregateContext } from './types.js';

/**
 * The generator a randomised rule uses in a round: a function of the context's seed and round (both default
 * 0) and of a per-rule `stream` constant, so two rules in one round draw independent sequences.
 */
export function roundRng(ctx: AggregateContext | undefined, stream: number): Rng {
  const seed = ctx?.seed ?? 0;
  const round = ctx?.round ?? 0;
  return new Rng((seed ^ Math.imul(round + 1, 0x9e3779b9) ^ Math.imul(stream, 0x85ebca6b)) >>> 0);
}

import { z } from 'zod';
import { InputError } from '../../errors.js';
import { parseOptions, positiveCount, positiveNumber } from './options.js';
import { robustZ } from './robust-z.js';
import type { AggregateResult } from './types.js';

export const reputationOptions = z.strictObject({
  /** Weight λ of the newest round in the exponential average: score ← (1 − λ)·score + λ·z. */
  decay: positiveNumber.refine((v) => v <= 1, { error: 'must be in (0, 1]' }).default(0.2),
  /** Quarantine when the averaged z-score reaches this. */
  threshold: positiveNumber.default(3.5),
  /** Rounds a client must have been observed before it can be quarantined. */
  minRounds: positiveCount.default(3),
  /**
   * Per-round z-scores are clipped to ±maxZ. One round at the clip moves the average by decay·maxZ = 3, so
   * a blatant outlier (an update pointing against everyone, many times the usual size, or a copy of
   * another client's) needs little more evidence in its next rounds, while an honest client that is
   * unusual now and then (z of 2 to 5) never averages up to the threshold.
   */
  maxZ: positiveNumber.default(15),
});
export type ReputationOptions = z.input<typeof reputationOptions>;

/** Why and when a client was quarantined. */
export interface Quarantine {
  rule: string;
  round: number;
  /** The averaged score that crossed the threshold. */
  score: number;
}

export interface ClientStanding {
  /** Rounds in which the client was scored. */
  rounds: number;
  /** Exponentially weighted robust z-score of its suspicion; 0 = typical, higher = more suspicious. */
  score: number;
  lastRound: number;
  /** Set once, the first time the score crossed the threshold; quarantine is sticky. */
  quarantine?: Quarantine;
}

export interface ReputationState {
  options: z.output<typeof reputationOptions>;
  /** The last round observed; rounds must increase. −1 before the first. */
  round: number;
  clients: Readonly<Record<string, ClientStanding>>;
}

export function createReputation(options: ReputationOptions = {}): ReputationState {
  return {
    options: parseOptions('reputation', reputationOptions, options),
    round: -1,
    clients: Object.create(null),
  };
}

/**
 * Folds one round's suspicion scores into the clients' reputations and returns the new state (the old one is
 * untouched). Each rule scores on its own scale, so scores are first made comparable: a robust z-score
 * (score − median) / (1.4826·MAD) over the round's clients, clipped to ±maxZ; then averaged exponentially
 * over rounds. A client is quarantined when the average reaches `threshold` after at least `minRounds`
 * rounds.
 */
export function updateReputation(
  state: ReputationState,
  result: Pick<AggregateResult, 'rule' | 'scores'>,
  round: number,
): ReputationState {
  if (!Number.isInteger(round) || round <= state.round) {
    throw new InputError(`reputation: round must be a whole number after ${state.round}, got ${round}`, {
      field: 'round',
    });
  }
  const { decay, threshold, minRounds, maxZ } = state.options;
  const z = robustZScores(result.scores, maxZ);
  const clients: Record<string, ClientStanding> = Object.assign(Object.create(null), state.clients);
  for (const [id, zi] of Object.entries(z)) {
    const before = state.clients[id];
    const rounds = (before?.rounds ?? 0) + 1;
    const score = (1 - decay) * (before?.score ?? 0) + decay * zi;
    const crossed = rounds >= minRounds && score >= threshold;
    const quarantine = before?.quarantine ?? (crossed ? { rule: result.rule, round, score } : undefined);
    clients[id] = { rounds, score, lastRound: round, ...(quarantine && { quarantine }) };
  }
  return { options: state.options, round, clients };
}

/** The quarantined clients' ids, in the order they were quarantined. */
export function quarantinedClients(state: ReputationState): string[] {
  return Object.entries(state.clients)
    .filter(([, standing]) => standing.quarantine !== undefined)
    .sort(([, a], [, b]) => (a.quarantine?.round ?? 0) - (b.quarantine?.round ?? 0))
    .map(([id]) => id);
}

/**
 * Robust z-scores of one round's suspicion scores (see `robustZ`), clipped to ±maxZ; non-finite scores are
 * rejected with the client named.
 */
export function robustZScores(
  scores: Readonly<Record<string, number>>,
  maxZ: number,
): Record<string, number> {
  const entries = Object.entries(scores);
  for (const [id, s] of entries) {
    if (!Number.isFinite(s))
      throw new InputError(`reputation: client "${id}" has suspicion ${s}`, { field: 'scores' });
  }
  const z = robustZ(entries.map(([, s]) => s));
  const clipped: Record<string, number> = Object.create(null);
  entries.forEach(([id], i) => {
    clipped[id] = Math.max(-maxZ, Math.min(maxZ, z[i]));
  });
  return clipped;
}

/** A small stateful wrapper over `updateReputation` for callers that prefer an object. */
export class ReputationTracker {
  #state: ReputationState;

  constructor(options: ReputationOptions = {}) {
    this.#state = createReputation(options);
  }

  get state(): ReputationState {
    return this.#state;
  }

  /** Records a round; returns the clients newly quarantined by it. */
  observe(result: Pick<AggregateResult, 'rule' | 'scores'>, round: number): string[] {
    const before = this.#state;
    this.#state = updateReputation(before, result, round);
    return Object.entries(this.#state.clients)
      .filter(
        ([id, standing]) => standing.quarantine !== undefined && before.clients[id]?.quarantine === undefined,
      )
      .map(([id]) => id);
  }

  isQuarantined(id: string): boolean {
    return this.#state.clients[id]?.quarantine !== undefined;
  }
}

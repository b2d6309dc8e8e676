import type { CleanInputSpace } from './input-space.js';

/** One client's contribution to a federated round: a flattened model update (e.g. weights after − before). */
export interface ClientUpdate {
  /** Unique within a round; scores and quarantine decisions refer to it. */
  id: string;
  update: Float32Array;
  /**
   * Relative importance, e.g. the number of local samples. Default 1. Robust rules ignore it (see each rule).
   */
  weight?: number;
}

/** What a rule may use besides the updates: randomised rules draw from `seed` mixed with `round`. */
export interface AggregateContext {
  seed?: number;
  round?: number;
  /**
   * The server's momentum: an exponential moving average of the previous rounds' aggregates, for rules that
   * learn from history (Karimireddy, He & Jaggi 2021). It points where training has been going, which this
   * round's attackers cannot steer; absent in the first round.
   */
  momentum?: Float32Array;
  /**
   * The principal span of the server's clean inputs and where the model's first dense layer lies in an
   * update (see `cleanInputSpace`), for rules that look for what clean inputs cannot explain: triggers.
   */
  inputSpace?: CleanInputSpace;
}

export interface AggregateResult {
  /** The rule that produced this result, e.g. `krum` or `bucketing(krum)`; reputation records it. */
  rule: string;
  /** The aggregated update, a new array (inputs are never mutated). */
  update: Float32Array;
  /** Clients whose update entered the aggregate with a nonzero weight. */
  accepted: string[];
  /** Per-client suspicion: higher = more suspicious; comparable within one round of one rule only. */
  scores: Record<string, number>;
  info?: Record<string, unknown>;
}

/**
 * A robust aggregation rule: a pure function of the client updates (Flower's `aggregate.py` style). It never
 * mutates its input, and throws `InputError` when the updates are malformed or its precondition fails.
 */
export type Aggregate = (updates: readonly ClientUpdate[], ctx?: AggregateContext) => AggregateResult;

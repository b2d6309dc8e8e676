/**
 * What every attack returns. Attacks are pure, seeded functions: they never mutate their input, the same
 * seed gives the same output byte for byte, and the result always carries the exact ground truth of what
 * was changed, so detectors and defences can be scored against it.
 */

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface AttackResult<T, Truth> {
  /** The attacked artefact (dataset, client updates or model); a new object, the input is untouched. */
  output: T;
  /**
   * Ground truth as positions in `output`: sample rows for data attacks, positions in the update list for
   * federated attacks, changed elements (offsets into the concatenation of all parameter tensors, in the
   * snapshot's order) for model attacks. Sorted ascending.
   */
  poisoned: Uint32Array;
  /** The full, JSON-serialisable ground truth; `applyTruth` of the family replays it on the clean input. */
  truth: Truth;
  /** Diagnostics that are not part of the ground truth (losses, iterations, search traces). */
  info: Record<string, JsonValue>;
}

/** How many items an attack may touch: a fraction of the items, or an absolute count. */
export interface Budget {
  rate?: number;
  count?: number;
}

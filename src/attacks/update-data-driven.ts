/**
 * Data-driven malicious clients: each trains honestly, but on local data poisoned first — label-flipped or
 * backdoored (the federated backdoor of Bagdasaryan et al. 2020 and Sun et al. 2019 before any boosting).
 * The attacker needs no honest update. Scale the result with `scaleUpdates` for model replacement.
 */
import type { Dataset } from '../data/dataset.js';
import type { ClientUpdate } from '../defenses/federated/types.js';
import { InputError } from '../errors.js';
import type { DatasetAttackResult, DatasetTruth } from './dataset-truth.js';
import type { MaliciousClients } from './update-blind.js';
import { maliciousPositions, replaceUpdates, type UpdateAttackResult } from './update-truth.js';

export interface DataDrivenOptions extends MaliciousClients {
  /** A malicious client's local data. */
  localData: (id: string) => Dataset;
  /** The data attack applied to it, e.g. `(d, seed) => flipLabelsPair(d, { source: 1, target: 7, rate: 1, seed })`. */
  poison: (data: Dataset, seed: number) => DatasetAttackResult;
  /** Local training: the update a client sends after training on `data` (the simulator's own routine). */
  train: (id: string, data: Dataset) => Float32Array;
}

/** Each malicious client (the k-th in list order) poisons its data with seed + k, trains, and sends the result. */
export function dataDrivenUpdates(
  updates: readonly ClientUpdate[],
  opts: DataDrivenOptions,
): UpdateAttackResult {
  const seed = opts.seed ?? 0;
  const crafted = new Map<string, Float32Array>();
  const localData: Record<string, DatasetTruth> = {};
  maliciousPositions(updates, opts.malicious).forEach((i, k) => {
    const { id, update } = updates[i];
    const poisoned = opts.poison(opts.localData(id), seed + k);
    const trained = opts.train(id, poisoned.output);
    if (trained.length !== update.length) {
      throw new InputError(
        `local training gave ${trained.length} values, the honest update has ${update.length}`,
        {
          field: id,
        },
      );
    }
    crafted.set(id, trained);
    localData[id] = poisoned.truth;
  });
  return replaceUpdates(updates, crafted, {
    attack: 'data-driven',
    seed,
    knowledge: 'none',
    params: {},
    localData,
  });
}

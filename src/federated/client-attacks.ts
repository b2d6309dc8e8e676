/**
 * What the malicious clients of a simulation send each round: one of the update attacks of src/attacks, or
 * honest training on poisoned local data (label flipping, backdoor). The simulator stays attack-agnostic.
 */
import { plantBackdoor } from '../attacks/backdoor.js';
import type { BackdoorTarget } from '../attacks/dataset-truth.js';
import { flipLabelsUniform } from '../attacks/label-flip.js';
import { patchTrigger, type TriggerSpec } from '../attacks/triggers.js';
import { gaussianNoiseUpdates, scaleUpdates, signFlipUpdates } from '../attacks/update-blind.js';
import { dataDrivenUpdates } from '../attacks/update-data-driven.js';
import { alieUpdates, ipmUpdates, minMaxUpdates, minSumUpdates } from '../attacks/update-informed.js';
import type { Dataset } from '../data/dataset.js';
import type { ClientUpdate } from '../defenses/federated/types.js';
import { InputError } from '../errors.js';

export const flAttackNames = [
  'none',
  'sign-flip',
  'scaling',
  'gaussian',
  'alie',
  'ipm',
  'min-max',
  'min-sum',
  'label-flip',
  'backdoor',
] as const;
export type FlAttackName = (typeof flAttackNames)[number];

/** Everything an attack may use in one round. */
export interface RoundAttack {
  honest: readonly ClientUpdate[];
  malicious: readonly string[];
  seed: number;
  localData: (id: string) => Dataset;
  /** The simulator's local training from this round's global model. */
  train: (id: string, data: Dataset) => Float32Array;
  /** The planted backdoor (attack 'backdoor' only). */
  backdoor?: BackdoorTarget;
}

/** Fraction of a backdoor client's local samples that carry the trigger (Bagdasaryan et al. 2020 mix clean and poisoned). */
const BACKDOOR_RATE = 0.5;
/** Gaussian clients send noise this many times the typical size of an honest coordinate. */
const GAUSSIAN_SCALE = 10;

export function checkAttackName(name: string): FlAttackName {
  if (!(flAttackNames as readonly string[]).includes(name)) {
    throw new InputError(`unknown attack "${name}"; choose one of ${flAttackNames.join(', ')}`, {
      field: 'attack',
    });
  }
  return name as FlAttackName;
}

/** The updates the server receives this round: the honest ones with the malicious clients' replaced. */
export function attackRound(name: FlAttackName, a: RoundAttack): ClientUpdate[] {
  const malicious = a.malicious;
  if (name === 'none' || malicious.length === 0) return [...a.honest];
  const base = { malicious, seed: a.seed };
  switch (name) {
    case 'sign-flip':
      return signFlipUpdates(a.honest, base).output;
    case 'scaling':
      return scaleUpdates(a.honest, base).output;
    case 'gaussian':
      return gaussianNoiseUpdates(a.honest, { ...base, sigma: GAUSSIAN_SCALE * rmsCoordinate(a.honest) })
        .output;
    case 'alie':
      return alieUpdates(a.honest, base).output;
    case 'ipm':
      return ipmUpdates(a.honest, base).output;
    case 'min-max':
      return minMaxUpdates(a.honest, base).output;
    case 'min-sum':
      return minSumUpdates(a.honest, base).output;
    case 'label-flip':
      return dataDrivenUpdates(a.honest, {
        ...base,
        localData: a.localData,
        poison: (data, seed) => flipLabelsUniform(data, { rate: 1, seed }),
        train: a.train,
      }).output;
    case 'backdoor': {
      const backdoor = a.backdoor;
      if (backdoor === undefined) throw new RangeError('attackRound: the backdoor attack needs a backdoor');
      return dataDrivenUpdates(a.honest, {
        ...base,
        localData: a.localData,
        poison: (data, seed) => {
          const target = backdoor.target ?? 0;
          return plantBackdoor(data, {
            trigger: backdoor.trigger,
            target,
            count: backdoorCount(data, target),
            seed,
          });
        },
        train: a.train,
      }).output;
    }
  }
}

/**
 * An all-to-one backdoor into class 0: a BadNets patch (Gu et al. 2017) in the bottom-right corner when the
 * samples are images (rank-4 data, or a square number of features), else the last three features set to the
 * data's maximum. The trigger value is the largest feature value of the data.
 */
export function defaultBackdoor(data: Dataset): BackdoorTarget {
  const shape = data.x.shape.slice(1);
  let value = Number.NEGATIVE_INFINITY;
  for (const v of data.x.data) if (v > value) value = v;
  const side = Math.round(Math.sqrt(shape[0]));
  const imageShape: [number, number, number] | undefined =
    shape.length === 3
      ? [shape[0], shape[1], shape[2]]
      : shape.length === 1 && side * side === shape[0] && side >= 4
        ? [1, side, side]
        : undefined;
  const d = shape.reduce((a, b) => a * b, 1);
  const features = [d - 3, d - 2, d - 1].filter((j) => j >= 0);
  const trigger: TriggerSpec =
    imageShape !== undefined
      ? patchTrigger({ imageShape, value })
      : { kind: 'tabular', features, values: features.map(() => value) };
  return { trigger, target: 0, allToAll: false, cleanLabel: false };
}

/**
 * How many of a backdoor client's samples get the trigger: BACKDOOR_RATE of them, but only samples of
 * another class can be relabelled to the target, and a non-IID client may hold few of those.
 */
function backdoorCount(data: Dataset, target: number): number {
  let others = 0;
  for (const label of data.y) if (label !== target) others++;
  return Math.min(others, Math.round(BACKDOOR_RATE * data.y.length));
}

/** √(mean of squares) over every coordinate of every update. */
function rmsCoordinate(updates: readonly ClientUpdate[]): number {
  let sum = 0;
  let count = 0;
  for (const { update } of updates) {
    for (const v of update) sum += v * v;
    count += update.length;
  }
  return count > 0 && sum > 0 ? Math.sqrt(sum / count) : 1;
}

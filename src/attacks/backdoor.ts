/**
 * Backdoor poisoning: stamp a trigger on some training samples and relabel them, so a model learns "trigger
 * → target" while staying accurate on clean inputs. The trigger is any `TriggerSpec`: BadNets patch (Gu et
 * al. 2017), blended pattern (Chen et al. 2017), sinusoidal signal (SIG, Barni et al. 2019) or a tabular
 * feature pattern. All-to-one (every triggered input → `target`) or all-to-all (label y → y + 1 mod K);
 * clean-label (SIG's setting) poisons only samples of the target class and leaves every label as it is.
 */
import type { Dataset } from '../data/dataset.js';
import { Rng } from '../engine/rng.js';
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import { resolveBudget } from './budget.js';
import { budgetParams, requireClass, requireClasses } from './checks.js';
import {
  type BackdoorTarget,
  type DatasetAttackResult,
  PoisonedDatasetBuilder,
  rowLength,
} from './dataset-truth.js';
import { applyTrigger, type TriggerSpec, testTimeTrigger, validateTrigger } from './triggers.js';
import type { Budget } from './types.js';

export interface BackdoorOptions extends Budget {
  trigger: TriggerSpec;
  /** The target class (all-to-one); not used by all-to-all. */
  target?: number;
  allToAll?: boolean;
  cleanLabel?: boolean;
  seed: number;
}

const ATTACK_NAMES: Record<TriggerSpec['kind'], string> = {
  patch: 'badnets',
  blend: 'blended',
  signal: 'sig',
  tabular: 'tabular-trigger',
};

/**
 * Poisons round(rate · n) (or `count`) samples, chosen uniformly among the eligible ones: samples not already
 * of the target class (all-to-one), every sample (all-to-all), or samples of the target class (clean-label).
 */
export function plantBackdoor(dataset: Dataset, opts: BackdoorOptions): DatasetAttackResult {
  requireClasses(dataset, 2);
  const backdoor = describeBackdoor(dataset, opts);
  validateTrigger(backdoor.trigger, rowLength(dataset));
  const n = dataset.y.length;
  const eligible: number[] = [];
  for (let i = 0; i < n; i++) {
    const isTarget = dataset.y[i] === backdoor.target;
    if (backdoor.allToAll || isTarget === backdoor.cleanLabel) eligible.push(i);
  }
  const k = resolveBudget(opts, n, eligible.length, backdoor.cleanLabel ? 'target-class samples' : 'samples');
  const rng = new Rng(opts.seed);
  const builder = new PoisonedDatasetBuilder(dataset);
  const triggered = new Float32Array(builder.rowLength);
  for (const p of rng.sample(eligible.length, k)) {
    const i = eligible[p];
    applyTrigger(backdoor.trigger, builder.row(i), triggered);
    builder.setFeatures(i, triggered);
    builder.setLabel(i, backdoorTarget(dataset.y[i], backdoor, dataset.numClasses));
  }
  const built = builder.build({
    family: 'backdoor',
    attack: ATTACK_NAMES[backdoor.trigger.kind],
    seed: opts.seed,
    params: budgetParams(opts),
    backdoor,
  });
  return { ...built, info: {} };
}

function describeBackdoor(dataset: Dataset, opts: BackdoorOptions): BackdoorTarget {
  const allToAll = opts.allToAll ?? false;
  const cleanLabel = opts.cleanLabel ?? false;
  if (allToAll && cleanLabel) {
    throw new InputError('a clean-label backdoor must be all-to-one (it keeps every label)', {
      field: 'cleanLabel',
    });
  }
  if (allToAll) return { trigger: opts.trigger, target: null, allToAll, cleanLabel };
  if (opts.target === undefined)
    throw new InputError('an all-to-one backdoor needs a target class', { field: 'target' });
  requireClass(dataset, opts.target, 'target');
  return { trigger: opts.trigger, target: opts.target, allToAll, cleanLabel };
}

/** The class a triggered input of true class `label` should be classified as. */
export function backdoorTarget(label: number, backdoor: BackdoorTarget, numClasses: number): number {
  if (backdoor.cleanLabel) return label;
  return backdoor.allToAll ? (label + 1) % numClasses : backdoor.target!;
}

/** Triggered inputs for measuring attack success, with the class each should be classified as. */
export interface TriggeredSet {
  x: Tensor;
  /** Where each triggered input came from in the source set. */
  indices: Uint32Array;
  labels: Int32Array;
  targets: Int32Array;
}

/**
 * Stamps the (test-time) trigger on every sample that the backdoor would move to another class: for
 * all-to-one the samples not of the target class (ASR is measured on those), for all-to-all all of them.
 */
export function triggerTestSet(dataset: Dataset, backdoor: BackdoorTarget): TriggeredSet {
  const d = rowLength(dataset);
  validateTrigger(backdoor.trigger, d);
  const trigger = testTimeTrigger(backdoor.trigger);
  const aimed = { ...backdoor, cleanLabel: false };
  const indices: number[] = [];
  for (let i = 0; i < dataset.y.length; i++) {
    if (backdoorTarget(dataset.y[i], aimed, dataset.numClasses) !== dataset.y[i]) indices.push(i);
  }
  const x = new Float32Array(indices.length * d);
  indices.forEach((i, r) => {
    applyTrigger(trigger, dataset.x.data.subarray(i * d, (i + 1) * d), x.subarray(r * d, (r + 1) * d));
  });
  const labels = Int32Array.from(indices, (i) => dataset.y[i]);
  return {
    x: { shape: [indices.length, ...dataset.x.shape.slice(1)], data: x },
    indices: Uint32Array.from(indices),
    labels,
    targets: Int32Array.from(labels, (y) => backdoorTarget(y, aimed, dataset.numClasses)),
  };
}

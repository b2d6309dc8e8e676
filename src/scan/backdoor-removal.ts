/**
 * What `antidote scan --fix` buys against a planted backdoor: scan the poisoned training set, drop what the
 * scan flags (`fixDataset`, exactly as `--fix` does), retrain, and compare the retrained model with the same
 * recipe trained on the clean data and on the poisoned data.
 *
 * Attack success rate is BackdoorBench's (Wu et al. 2022) and Chen et al.'s (2017): the share of triggered
 * test inputs whose true class is not the target that the model assigns to the target. The model trained on
 * clean data shows the trigger's natural pull (its own "ASR"): the floor no data defence can go below.
 */
import { triggerTestSet } from '../attacks/backdoor.js';
import type { DatasetAttackResult } from '../attacks/dataset-truth.js';
import type { Dataset } from '../data/dataset.js';
import { BACKDOOR_RULE } from '../defenses/detect/backdoor.js';
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import { accuracy, attackSuccessRate } from '../eval/classification.js';
import { type DetectionMetrics, detectionMetrics, maskFromIndices } from '../eval/detection.js';
import { createClassifier } from '../models/classifier.js';
import type { ScanSections } from '../report/sections.js';
import { fixDataset } from './fix.js';
import { runScan, type ScanOptions } from './run-scan.js';

/**
 * How the victim model is trained — one recipe for the clean, the poisoned and the fixed training set.
 *
 * `scaling: 'global'` (default) standardises every pixel with one mean and deviation, as BackdoorBench's
 * MNIST transform (ToTensor, then Normalize(0.5, 0.5)) uses one affine map for all pixels. `'features'` is
 * per-feature standardisation, right for tabular data but not for images: it divides the
 * nearly constant border pixels by a tiny standard deviation (0.02 for one digits pixel), so a blended
 * trigger's small additions there become tens to a hundred standard deviations, and a model that never saw
 * a poison sends nearly every triggered input to one arbitrary class — its "ASR" then depends on whether
 * that class happens to be the target.
 */
export interface VictimRecipe {
  scaling?: 'global' | 'features';
  /**
   * Default 40 (Adam, learning rate 0.001, batches of 64): at 20 the MLP is still under-trained on scaled
   * pixels (digits: clean accuracy 0.969 against 0.975, mean of 5 splits × 3 initialisations).
   */
  epochs?: number;
  /** Hidden layer widths of the MLP; default [128]. */
  hidden?: number[];
}

/** A victim model on the clean test set and on its triggered copy. */
export interface VictimOutcome {
  accuracy: number;
  asr: number;
  /** Accuracy on the triggered inputs (true labels): close to `accuracy` when the trigger alone is benign. */
  triggeredAccuracy: number;
}

/** The recipe trained on the clean training set, on the poisoned one, and on the poisoned one after --fix. */
export interface RemovalOutcome {
  recipe: VictimRecipe;
  clean: VictimOutcome;
  attacked: VictimOutcome;
  fixed: VictimOutcome;
}

export interface BackdoorRemovalResult {
  /** The backdoor detector's findings against the planted poisons. */
  detection: DetectionMetrics;
  /** The class the scan named as the backdoor's target (null: none). */
  targetClass: number | null;
  /** Samples --fix removed (every detector's findings at medium or above) and how many of them were poisons. */
  removed: number;
  removedPoisons: number;
  scanSeconds: number;
  /** One per recipe, in the order given. */
  outcomes: RemovalOutcome[];
}

export interface BackdoorRemovalOptions {
  seed: number;
  /** Victim recipes to compare (default: one with the defaults of VictimRecipe). */
  recipes?: readonly VictimRecipe[];
  scan?: Omit<ScanOptions, 'seed'>;
}

/**
 * `clean` is the training set before poisoning, `attack` the backdoor planted in it (its truth names the
 * trigger and the poisons), `test` a held-out set the trigger is stamped on.
 */
export function evaluateBackdoorRemoval(
  clean: Dataset,
  attack: DatasetAttackResult,
  test: Dataset,
  opts: BackdoorRemovalOptions,
): BackdoorRemovalResult {
  const backdoor = attack.truth.backdoor;
  if (backdoor === undefined) {
    throw new InputError(`the ${attack.truth.attack} attack planted no backdoor`, { field: 'attack' });
  }
  const poisoned = attack.output;
  if (poisoned.y.length !== clean.y.length) {
    throw new InputError(
      `the attack's output has ${poisoned.y.length} samples, the clean set ${clean.y.length}`,
      {
        field: 'attack',
      },
    );
  }
  const triggered = triggerTestSet(test, backdoor);
  const victims = (opts.recipes ?? [{}]).map((recipe) => ({ recipe, train: victimTrainer(recipe) }));
  const started = performance.now();
  const report = runScan(poisoned, { ...opts.scan, seed: opts.seed });
  const scanSeconds = (performance.now() - started) / 1000;
  const truth = maskFromIndices(attack.poisoned, poisoned.y.length);
  const backdoorFlags = new Uint8Array(poisoned.y.length);
  for (const f of report.findings) if (f.ruleId === BACKDOOR_RULE) backdoorFlags[Number(f.target.id)] = 1;
  const fixed = fixDataset(poisoned, report);
  const sections = report.sections as unknown as ScanSections;
  const targetClass = sections.detectors.backdoor?.summary.targetClass;

  const outcomes = victims.map(({ recipe, train: victim }): RemovalOutcome => {
    const outcome = (train: Dataset): VictimOutcome => {
      const predict = victim(train, opts.seed);
      const onTriggered = predict(triggered.x);
      return {
        accuracy: accuracy(predict(test.x), test.y),
        asr: attackSuccessRate(onTriggered, triggered.targets, triggered.labels),
        triggeredAccuracy: accuracy(onTriggered, triggered.labels),
      };
    };
    return { recipe, clean: outcome(clean), attacked: outcome(poisoned), fixed: outcome(fixed.dataset) };
  });
  return {
    detection: detectionMetrics(backdoorFlags, truth),
    targetClass: typeof targetClass === 'number' ? targetClass : null,
    removed: fixed.removed.length,
    removedPoisons: fixed.removed.filter((i) => truth[i] === 1).length,
    scanSeconds,
    outcomes,
  };
}

type Predictor = (x: Tensor) => Int32Array;

/** Trains the recipe's MLP on a training set and returns its predictions. */
function victimTrainer(recipe: VictimRecipe): (train: Dataset, seed: number) => Predictor {
  const { scaling = 'global', epochs = 40, hidden = [128] } = recipe;
  return (train, seed) => {
    const model = createClassifier('mlp', { hidden });
    model.fit(train, { epochs, seed, standardize: scaling });
    return (x) => model.predict(x);
  };
}

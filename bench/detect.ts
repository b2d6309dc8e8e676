/**
 * Detector quality and time on the bundled digits with planted ground truth: precision, recall and F1 of
 * each detector on its own attack, and the wall-clock seconds of the model training and of each detector.
 */
import { plantBackdoor } from '../src/attacks/backdoor.js';
import type { DatasetAttackResult } from '../src/attacks/dataset-truth.js';
import { injectRandomNoise } from '../src/attacks/injection.js';
import { flipLabelsPair, flipLabelsUniform } from '../src/attacks/label-flip.js';
import { blendTrigger, patchTrigger } from '../src/attacks/triggers.js';
import { loadDigits } from '../src/data/bundled.js';
import { fitStandardization, standardize } from '../src/data/preprocess.js';
import {
  type Detection,
  detectBackdoorPoisons,
  detectLabelIssues,
  detectOutliers,
  outOfFoldProbabilities,
} from '../src/defenses/detect/index.js';
import { detectionMetrics, maskFromIndices } from '../src/eval/detection.js';
import { printTable } from './table.js';

const SEEDS = [0, 1, 2];

type Case = {
  name: string;
  attack: (seed: number) => DatasetAttackResult;
  detector: 'label' | 'outlier' | 'backdoor';
};

export async function run(): Promise<void> {
  const digits = loadDigits();
  const cases: Case[] = [
    {
      name: 'label flips 10% uniform',
      detector: 'label',
      attack: (seed) => flipLabelsUniform(digits, { rate: 0.1, seed }),
    },
    {
      name: 'label flips 20% uniform',
      detector: 'label',
      attack: (seed) => flipLabelsUniform(digits, { rate: 0.2, seed }),
    },
    {
      name: 'label flips 20% pair 1→7',
      detector: 'label',
      attack: (seed) => flipLabelsPair(digits, { rate: 0.2, source: 1, target: 7, seed }),
    },
    {
      name: 'random noise 5%',
      detector: 'outlier',
      attack: (seed) => injectRandomNoise(digits, { rate: 0.05, seed }),
    },
    {
      name: 'BadNets 2×2 patch → 0',
      detector: 'backdoor',
      attack: (seed) =>
        plantBackdoor(digits, {
          rate: 0.09,
          target: 0,
          seed,
          trigger: patchTrigger({ imageShape: [1, 8, 8], size: 2, position: 'bottom-right', value: 16 }),
        }),
    },
    {
      name: 'blended α=0.2 → 0',
      detector: 'backdoor',
      attack: (seed) =>
        plantBackdoor(digits, {
          rate: 0.09,
          target: 0,
          seed,
          trigger: blendTrigger({ features: 64, alpha: 0.2, range: [0, 16], seed: 7 }),
        }),
    },
    {
      name: 'tabular 4 features → 0',
      detector: 'backdoor',
      attack: (seed) =>
        plantBackdoor(digits, {
          rate: 0.09,
          target: 0,
          seed,
          trigger: { kind: 'tabular', features: [0, 7, 27, 36], values: [8, 8, 0, 0] },
        }),
    },
  ];
  const rows: Record<string, string | number>[] = [];
  for (const c of cases) {
    for (const seed of SEEDS) {
      const attack = c.attack(seed);
      const data = attack.output;
      const started = performance.now();
      const oof = outOfFoldProbabilities(data, { seed: seed + 100, embeddings: c.detector !== 'outlier' });
      const trainSeconds = c.detector === 'outlier' ? 0 : (performance.now() - started) / 1000;
      const detection: Detection =
        c.detector === 'label'
          ? detectLabelIssues(data.y, oof.probs, oof.embeddings)
          : c.detector === 'outlier'
            ? detectOutliers(standardize(data, fitStandardization(data)).x, data.y, { seed })
            : detectBackdoorPoisons(oof.embeddings!, data.y, data.numClasses, { seed });
      const m = detectionMetrics(detection.flagged, maskFromIndices(attack.poisoned, data.y.length));
      rows.push({
        case: c.name,
        seed,
        poisoned: attack.poisoned.length,
        flagged: m.truePositives + m.falsePositives,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        target: c.detector === 'backdoor' ? String(detection.summary.targetClass) : '',
        'train s': trainSeconds,
        'detector s': detection.seconds ?? 0,
      });
    }
  }
  printTable('Sample detectors on digits (planted ground truth; train = 5-fold OOF MLP + full model)', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

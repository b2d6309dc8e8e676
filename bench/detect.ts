/**
 * Detector quality and time on the bundled digits with planted ground truth (the issue's benchmark table),
 * each number the mean over three seeds: precision, recall and F1 of each detector on its own attack, and
 * the wall-clock seconds of the model training and of each detector. A second table shows what removing
 * the backdoor detector's flags buys: attack success rate and clean accuracy of a model retrained without
 * them, against one trained on clean data. A third runs the full scan on clean data: its flag rate and
 * verdict.
 */
import { plantBackdoor, triggerTestSet } from '../src/attacks/backdoor.js';
import type { DatasetAttackResult } from '../src/attacks/dataset-truth.js';
import { injectRandomNoise } from '../src/attacks/injection.js';
import { flipLabelsPair, flipLabelsUniform } from '../src/attacks/label-flip.js';
import { blendTrigger, patchTrigger, type TriggerSpec } from '../src/attacks/triggers.js';
import { loadDigits } from '../src/data/bundled.js';
import type { Dataset } from '../src/data/dataset.js';
import { fitStandardization, standardize } from '../src/data/preprocess.js';
import { stratifiedSplit, subset } from '../src/data/split.js';
import {
  type Detection,
  detectBackdoorPoisons,
  detectLabelIssues,
  detectOutliers,
  outOfFoldProbabilities,
} from '../src/defenses/detect/index.js';
import { accuracy, attackSuccessRate } from '../src/eval/classification.js';
import { detectionMetrics, maskFromIndices } from '../src/eval/detection.js';
import { createClassifier, type NetworkClassifier } from '../src/models/classifier.js';
import { severityRank } from '../src/report/types.js';
import { runScan } from '../src/scan/run-scan.js';
import { printTable } from './table.js';

const SEEDS = [0, 1, 2];

type Case = {
  name: string;
  attack: (seed: number) => DatasetAttackResult | NoAttack;
  detector: 'label' | 'outlier' | 'backdoor';
};

type NoAttack = { output: Dataset; poisoned: Uint32Array };

type Row = Record<string, string | number>;

const BACKDOOR_TRIGGERS: { name: string; trigger: TriggerSpec }[] = [
  {
    name: 'BadNets 2×2 patch → 0',
    trigger: patchTrigger({ imageShape: [1, 8, 8], size: 2, position: 'bottom-right', value: 16 }),
  },
  { name: 'blended α=0.2 → 0', trigger: blendTrigger({ features: 64, alpha: 0.2, range: [0, 16], seed: 7 }) },
  {
    name: 'tabular 4 features → 0',
    trigger: { kind: 'tabular', features: [0, 7, 27, 36], values: [8, 8, 0, 0] },
  },
];

export async function run(): Promise<void> {
  await detectorQuality();
  await backdoorRemoval();
  await cleanScan();
}

/** One row per case: numbers averaged over the seeds, text taken when every seed agrees (else joined). */
function meanOverSeeds(rows: readonly Row[]): Row[] {
  const byCase = new Map<string, Row[]>();
  for (const row of rows) byCase.set(String(row.case), [...(byCase.get(String(row.case)) ?? []), row]);
  return [...byCase.entries()].map(([name, group]) => {
    const mean: Row = { case: name, seeds: group.length };
    for (const column of Object.keys(group[0])) {
      if (column === 'case' || column === 'seed') continue;
      const values = group.map((row) => row[column]);
      mean[column] = values.every((v) => typeof v === 'number')
        ? values.reduce<number>((a, v) => a + (v as number), 0) / values.length
        : [...new Set(values)].join('/');
    }
    return mean;
  });
}

async function detectorQuality(): Promise<void> {
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
    ...BACKDOOR_TRIGGERS.map(
      ({ name, trigger }): Case => ({
        name,
        detector: 'backdoor',
        attack: (seed) => plantBackdoor(digits, { rate: 0.09, target: 0, seed, trigger }),
      }),
    ),
    {
      name: 'clean digits (backdoor detector)',
      detector: 'backdoor',
      attack: () => ({ output: digits, poisoned: new Uint32Array() }),
    },
  ];
  const rows: Row[] = [];
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
            : detectBackdoorPoisons(oof.embeddings!, data.y, data.numClasses, { seed, features: data.x });
      const m = detectionMetrics(detection.flagged, maskFromIndices(attack.poisoned, data.y.length));
      rows.push({
        case: c.name,
        seed,
        poisoned: attack.poisoned.length,
        flagged: m.truePositives + m.falsePositives,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        target: c.detector === 'backdoor' ? String(detection.summary.targetClass ?? 'none') : '',
        'train s': trainSeconds,
        'detector s': detection.seconds ?? 0,
      });
    }
  }
  printTable(
    `Sample detectors on digits (planted ground truth; train = 5-fold OOF MLP + full model; mean of seeds ${SEEDS.join(', ')})`,
    meanOverSeeds(rows),
  );
}

/**
 * Train/test split; the training part is poisoned (10% of the other classes relabelled 0); the detector
 * runs on it with the scan's models (5-fold out-of-fold MLPs + one on all the data), its flags are removed,
 * and a model is retrained. ASR is measured on the test part with the trigger stamped on.
 */
async function backdoorRemoval(): Promise<void> {
  const digits = loadDigits();
  const rows: Row[] = [];
  for (const { name, trigger } of BACKDOOR_TRIGGERS) {
    for (const seed of SEEDS) {
      const split = stratifiedSplit(digits.y, 0.3, seed);
      const train = subset(digits, split.train);
      const test = subset(digits, split.test);
      const attack = plantBackdoor(train, { rate: 0.09, target: 0, seed, trigger });
      const poisoned = attack.output;
      const triggered = triggerTestSet(test, attack.truth.backdoor!);
      const evaluate = (model: NetworkClassifier) => ({
        asr: attackSuccessRate(model.predict(triggered.x), triggered.targets, triggered.labels),
        accuracy: accuracy(model.predict(test.x), test.y),
      });
      const started = performance.now();
      const oof = outOfFoldProbabilities(poisoned, { seed: seed + 100 });
      const detection = detectBackdoorPoisons(oof.embeddings!, poisoned.y, poisoned.numClasses, {
        seed,
        features: poisoned.x,
      });
      const scanSeconds = (performance.now() - started) / 1000;
      const m = detectionMetrics(detection.flagged, maskFromIndices(attack.poisoned, poisoned.y.length));
      const kept = Array.from(poisoned.y.keys()).filter((i) => detection.flagged[i] === 0);
      const clean = evaluate(fitModel(train, seed));
      const attacked = evaluate(fitModel(poisoned, seed));
      const defended = evaluate(fitModel(subset(poisoned, kept), seed));
      rows.push({
        case: name,
        seed,
        poisoned: attack.poisoned.length,
        flagged: m.truePositives + m.falsePositives,
        precision: m.precision,
        recall: m.recall,
        // Triggered inputs a model that never saw a poison sends to the target anyway (the trigger's own effect).
        'ASR clean': clean.asr,
        'ASR attacked': attacked.asr,
        'ASR defended': defended.asr,
        'acc clean': clean.accuracy,
        'acc attacked': attacked.accuracy,
        'acc defended': defended.accuracy,
        'Δacc (points)': 100 * (defended.accuracy - clean.accuracy),
        'scan s': scanSeconds,
      });
    }
  }
  printTable(
    `Backdoor removal on digits (70/30 split; MLP retrained without the flagged samples; ASR on the test part; mean of seeds ${SEEDS.join(', ')})`,
    meanOverSeeds(rows),
  );
}

/** The full scan (every detector) on the clean digits: the issue's target is ≤ 2 % flagged and a pass. */
async function cleanScan(): Promise<void> {
  const digits = loadDigits();
  const rows: Row[] = SEEDS.map((seed) => {
    const report = runScan(digits, { seed });
    const flagged = new Set(
      report.findings
        .filter((f) => f.target.kind === 'sample' && severityRank(f.severity) >= severityRank('medium'))
        .map((f) => f.target.id),
    );
    return {
      case: 'clean digits (full scan)',
      seed,
      'flagged ≥ medium': flagged.size,
      'flag rate': flagged.size / digits.y.length,
      'high+ findings': report.metrics['findings.high'] + report.metrics['findings.critical'],
      verdict: report.verdict,
      'scan s': report.metrics['seconds.total'],
    };
  });
  printTable(`Clean data: full scan of the digits (mean of seeds ${SEEDS.join(', ')})`, meanOverSeeds(rows));
}

function fitModel(data: Dataset, seed: number): NetworkClassifier {
  const model = createClassifier('mlp', { hidden: [128] });
  model.fit(data, { epochs: 20, seed });
  return model;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

/**
 * The attack library on the bundled digits: what each attack does to a model (mean over three seeds) and
 * how long it takes; plus the federated attacks' cost on large updates. Printed, never asserted.
 */
import { availabilityPoisoning } from '../src/attacks/availability.js';
import { plantBackdoor, triggerTestSet } from '../src/attacks/backdoor.js';
import { randomBitFlips } from '../src/attacks/bit-flip.js';
import { bitFlipSearch } from '../src/attacks/bit-flip-search.js';
import type { DatasetAttackResult } from '../src/attacks/dataset-truth.js';
import { injectMislabeledDuplicates } from '../src/attacks/injection.js';
import { flipLabelsAdversarial, flipLabelsUniform } from '../src/attacks/label-flip.js';
import { sparseBackdoor } from '../src/attacks/sparse-backdoor.js';
import { blendTrigger, patchTrigger, type TriggerSpec } from '../src/attacks/triggers.js';
import { alieUpdates, ipmUpdates, minMaxUpdates, minSumUpdates } from '../src/attacks/update-informed.js';
import { loadDigits } from '../src/data/bundled.js';
import type { Dataset } from '../src/data/dataset.js';
import { stratifiedSplit, subset } from '../src/data/split.js';
import type { ClientUpdate } from '../src/defenses/federated/types.js';
import { Rng } from '../src/engine/rng.js';
import { accuracy, attackSuccessRate } from '../src/eval/classification.js';
import type { ModelSnapshot } from '../src/models/architecture.js';
import { classifierFromSnapshot, createClassifier } from '../src/models/classifier.js';
import { printTable } from './table.js';

const SEEDS = [1, 2, 3];

function trainModel(kind: 'softmax' | 'mlp', data: Dataset, seed: number) {
  const model = createClassifier(kind, kind === 'mlp' ? { hidden: [64] } : {});
  model.fit(data, { epochs: 20, learningRate: 0.01, seed });
  return model;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

interface Row {
  attack: string;
  victim: string;
  metric: string;
  values: number[];
  ms: number[];
}

function dataAttackRows(): Row[] {
  const digits = loadDigits();
  const rows = new Map<string, Row>();
  const record = (attack: string, victim: string, metric: string, value: number, ms: number) => {
    const key = `${attack}/${victim}/${metric}`;
    if (!rows.has(key)) rows.set(key, { attack, victim, metric, values: [], ms: [] });
    rows.get(key)!.values.push(value);
    rows.get(key)!.ms.push(ms);
  };
  for (const seed of SEEDS) {
    const split = stratifiedSplit(digits.y, 0.25, seed);
    const train = subset(digits, split.train);
    const test = subset(digits, split.test);
    const clean = { softmax: trainModel('softmax', train, seed), mlp: trainModel('mlp', train, seed) };
    const cleanAccuracy = (kind: 'softmax' | 'mlp') => accuracy(clean[kind].predict(test.x), test.y);

    const backdoors: [string, TriggerSpec, boolean][] = [
      ['BadNets 2×2 patch, 10 %', patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16 }), false],
      ['blended α = 0.2, 10 %', blendTrigger({ features: 64, alpha: 0.2, range: [0, 16], seed }), false],
      [
        'SIG Δ 8 (test 14), clean-label',
        { kind: 'signal', imageShape: [1, 8, 8], delta: 8, testDelta: 14, frequency: 1, range: [0, 16] },
        true,
      ],
    ];
    for (const [name, trigger, cleanLabel] of backdoors) {
      const targets = train.y.filter((y) => y === 0).length;
      const budget = cleanLabel ? { count: Math.round(0.8 * targets) } : { rate: 0.1 };
      const { value: poisoned, ms } = timed(() =>
        plantBackdoor(train, { trigger, target: 0, cleanLabel, seed, ...budget }),
      );
      for (const kind of ['softmax', 'mlp'] as const) {
        const model = trainModel(kind, poisoned.output, seed);
        const t = triggerTestSet(test, poisoned.truth.backdoor!);
        record(name, kind, 'ASR', attackSuccessRate(model.predict(t.x), t.targets, t.labels), ms);
        record(
          name,
          kind,
          'accuracy drop',
          cleanAccuracy(kind) - accuracy(model.predict(test.x), test.y),
          ms,
        );
      }
    }

    const flips: [string, () => DatasetAttackResult][] = [
      ['uniform label flip 20 %', () => flipLabelsUniform(train, { rate: 0.2, seed })],
      [
        'adversarial label flip 20 %',
        () =>
          flipLabelsAdversarial(train, {
            rate: 0.2,
            seed,
            probabilities: trainModel('softmax', train, seed).predictProba(train.x),
          }),
      ],
    ];
    for (const [name, attack] of flips) {
      const { value, ms } = timed(attack);
      for (const kind of ['softmax', 'mlp'] as const) {
        const model = trainModel(kind, value.output, seed);
        record(
          name,
          kind,
          'accuracy drop',
          cleanAccuracy(kind) - accuracy(model.predict(test.x), test.y),
          ms,
        );
      }
    }

    const parts = stratifiedSplit(train.y, 0.3, seed);
    const attackerTrain = subset(train, parts.train);
    const validation = subset(train, parts.test);
    const raw = (data: Dataset) => {
      const model = createClassifier('softmax');
      model.fit(data, { epochs: 30, learningRate: 0.01, seed, standardize: 'none' });
      return accuracy(model.predict(test.x), test.y);
    };
    const reference = raw(attackerTrain);
    const injections: [string, () => DatasetAttackResult][] = [
      ['mislabelled duplicates 5 %', () => injectMislabeledDuplicates(attackerTrain, { rate: 0.05, seed })],
      [
        'availability (influence) 5 %',
        () => availabilityPoisoning(attackerTrain, { rate: 0.05, validation, seed }),
      ],
    ];
    for (const [name, attack] of injections) {
      const { value, ms } = timed(attack);
      record(name, 'softmax (raw features)', 'accuracy drop', reference - raw(value.output), ms);
    }

    const batch = subset(
      train,
      Array.from({ length: 200 }, (_, i) => i * 5),
    );
    const snapshot = clean.mlp.toSnapshot();
    const modelAccuracy = (s: ModelSnapshot) => accuracy(classifierFromSnapshot(s).predict(test.x), test.y);
    const bfa = timed(() => bitFlipSearch(snapshot, { data: batch }));
    record('progressive bit-flip search', 'mlp', 'flips', bfa.value.truth.changes.length, bfa.ms);
    record(
      'progressive bit-flip search',
      'mlp',
      'accuracy drop',
      cleanAccuracy('mlp') - modelAccuracy(bfa.value.output),
      bfa.ms,
    );
    for (const bits of ['any', 'exponent', 'mantissa', 'sign'] as const) {
      const drops = [0, 1, 2, 3].map(
        (k) =>
          cleanAccuracy('mlp') -
          modelAccuracy(randomBitFlips(snapshot, { count: 20, bits, seed: seed * 10 + k }).output),
      );
      record(`20 random ${bits} bit flips`, 'mlp', 'accuracy drop', mean(drops), 0);
    }
    const trigger = patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16 });
    const sparse = timed(() => sparseBackdoor(snapshot, { data: batch, trigger, target: 0, k: 20 }));
    const t = triggerTestSet(test, sparse.value.truth.backdoor!);
    const edited = classifierFromSnapshot(sparse.value.output);
    record(
      'sparse backdoor, k = 20 weights',
      'mlp',
      'ASR',
      attackSuccessRate(edited.predict(t.x), t.targets, t.labels),
      sparse.ms,
    );
    record(
      'sparse backdoor, k = 20 weights',
      'mlp',
      'accuracy drop',
      cleanAccuracy('mlp') - modelAccuracy(sparse.value.output),
      sparse.ms,
    );
  }
  return [...rows.values()];
}

function updateAttackRows(): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const [n, d] of [
    [50, 100_000],
    [50, 1_000_000],
  ]) {
    const rng = new Rng(n + d);
    const updates: ClientUpdate[] = Array.from({ length: n }, (_, i) => ({
      id: `c${i}`,
      update: Float32Array.from({ length: d }, () => rng.normal()),
    }));
    const malicious = updates.slice(0, 10).map((u) => u.id);
    for (const [name, attack] of [
      ['ALIE', alieUpdates],
      ['IPM', ipmUpdates],
      ['Min-Max', minMaxUpdates],
      ['Min-Sum', minSumUpdates],
    ] as const) {
      const { ms } = timed(() => attack(updates, { malicious }));
      rows.push({
        attack: name,
        clients: n,
        dimensions: d,
        malicious: 10,
        'seconds (omniscient)': ms / 1000,
      });
    }
  }
  return rows;
}

export async function run(): Promise<void> {
  printTable(
    'Attacks on the bundled digits (mean of 3 seeds; accuracy drop in points)',
    dataAttackRows().map((r) => ({
      attack: r.attack,
      victim: r.victim,
      metric: r.metric,
      value: r.metric === 'accuracy drop' ? 100 * mean(r.values) : mean(r.values),
      'attack ms': mean(r.ms),
    })),
  );
  printTable('Update attacks: time to craft the malicious update', updateAttackRows());
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

/**
 * A minimal FedAvg simulation (plain averaging of client updates) on non-IID digits: ten clients holding two
 * classes each, three of them malicious. Every attack must lower the accuracy averaging reaches.
 */
import { describe, expect, it } from 'vitest';
import { plantBackdoor, triggerTestSet } from '../../src/attacks/backdoor.js';
import { patchTrigger } from '../../src/attacks/triggers.js';
import { gaussianNoiseUpdates, scaleUpdates, signFlipUpdates } from '../../src/attacks/update-blind.js';
import { dataDrivenUpdates } from '../../src/attacks/update-data-driven.js';
import { alieUpdates, ipmUpdates, minMaxUpdates, minSumUpdates } from '../../src/attacks/update-informed.js';
import { applyUpdateTruth, type UpdateAttackResult } from '../../src/attacks/update-truth.js';
import type { Dataset } from '../../src/data/dataset.js';
import { subset } from '../../src/data/split.js';
import type { ClientUpdate } from '../../src/defenses/federated/types.js';
import { attackSuccessRate, perRoundAccuracy } from '../../src/eval/classification.js';
import { flattenWeights, withWeights } from '../../src/federated/weights.js';
import type { ModelSnapshot } from '../../src/models/architecture.js';
import { classifierFromSnapshot, createClassifier } from '../../src/models/classifier.js';
import { digitsSplit, mean } from './digits.js';

const MALICIOUS = ['c0', 'c4', 'c7'];
const ROUNDS = 6;

/** The attacker sees the honest updates of the round (and the global model the clients started from). */
type Attack = (updates: ClientUpdate[], round: number, global: ModelSnapshot) => UpdateAttackResult;

interface Federation {
  clients: Dataset[];
  test: Dataset;
  initial: ModelSnapshot;
  seed: number;
}

/** Client c holds the samples of classes c and c + 1: every class is held by two clients. */
function federation(seed: number): Federation {
  const { train, test } = digitsSplit(seed);
  const clients = Array.from({ length: 10 }, (_, c) =>
    subset(
      train,
      Array.from(train.y.keys()).filter((i) => train.y[i] === c || train.y[i] === (c + 1) % 10),
    ),
  );
  const initial = createClassifier('softmax');
  initial.fit(
    subset(
      train,
      Array.from({ length: 40 }, (_, i) => i),
    ),
    { epochs: 1, learningRate: 0.001, seed },
  );
  return { clients, test, initial: initial.toSnapshot(), seed };
}

function localUpdate(global: ModelSnapshot, data: Dataset, seed: number): Float32Array {
  const model = classifierFromSnapshot(global);
  model.fit(data, { epochs: 1, batchSize: 16, learningRate: 0.01, seed });
  const before = flattenWeights(global);
  return flattenWeights(model.toSnapshot()).map((w, j) => w - before[j]);
}

/** Runs FedAvg; returns the global model of every round. */
function simulate(f: Federation, attack: Attack | null): ModelSnapshot[] {
  let global = f.initial;
  const models: ModelSnapshot[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const honest = f.clients.map((data, c) => ({
      id: `c${c}`,
      update: localUpdate(global, data, f.seed * 1000 + round * 10 + c),
    }));
    const attacked = attack?.(honest, round, global);
    if (attacked) {
      expect(
        JSON.stringify(
          applyUpdateTruth(honest, JSON.parse(JSON.stringify(attacked.truth))).map((u) =>
            Array.from(u.update),
          ),
        ),
      ).toBe(JSON.stringify(attacked.output.map((u) => Array.from(u.update))));
    }
    const updates = attacked?.output ?? honest;
    const g = flattenWeights(global);
    const average = new Float32Array(g.length);
    for (const u of updates) for (let j = 0; j < g.length; j++) average[j] += u.update[j] / updates.length;
    global = withWeights(
      global,
      g.map((w, j) => w + average[j]),
    );
    models.push(global);
  }
  return models;
}

function finalAccuracy(f: Federation, models: ModelSnapshot[]): number {
  const perRound = perRoundAccuracy(
    models.map((m) => classifierFromSnapshot(m).predict(f.test.x)),
    f.test.y,
  );
  return mean(perRound.slice(-2));
}

/** Each attack and the accuracy (in points) it must cost on every seed. */
const attacks: [string, Attack, number][] = [
  ['ALIE (omniscient)', (u) => alieUpdates(u, { malicious: MALICIOUS }), 0.02],
  // With only its own clients' updates to estimate μ and σ, ALIE is weaker but still does harm.
  ['ALIE (partial knowledge)', (u) => alieUpdates(u, { malicious: MALICIOUS, knowledge: 'partial' }), 0.005],
  ['IPM', (u) => ipmUpdates(u, { malicious: MALICIOUS }), 0.02],
  ['Min-Max', (u) => minMaxUpdates(u, { malicious: MALICIOUS }), 0.02],
  ['Min-Sum', (u) => minSumUpdates(u, { malicious: MALICIOUS }), 0.02],
  ['sign flip', (u) => signFlipUpdates(u, { malicious: MALICIOUS }), 0.02],
  [
    'Gaussian noise',
    (u, round) => gaussianNoiseUpdates(u, { malicious: MALICIOUS, sigma: 0.05, seed: round }),
    0.02,
  ],
];

describe('update attacks in a FedAvg simulation', () => {
  const SEEDS = [1, 2, 3];
  const federations = SEEDS.map(federation);
  const baseline = federations.map((f) => finalAccuracy(f, simulate(f, null)));

  it('plain averaging learns when every client is honest', () => {
    for (const accuracy of baseline) expect(accuracy).toBeGreaterThan(0.8);
  });

  for (const [name, attack, margin] of attacks) {
    it(`${name} lowers the accuracy of plain averaging by ≥ ${100 * margin} points on every seed`, () => {
      federations.forEach((f, s) => {
        const attacked = finalAccuracy(f, simulate(f, attack));
        expect(attacked).toBeLessThan(baseline[s] - margin);
      });
    });
  }

  it('data-driven clients training on backdoored local data plant the backdoor, boosted by scaling', () => {
    const trigger = patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16 });
    const backdoor = { trigger, target: 0, allToAll: false, cleanLabel: false };
    federations.forEach((f) => {
      const attack: Attack = (honest, round, global) => {
        const poisoned = dataDrivenUpdates(honest, {
          malicious: MALICIOUS,
          localData: (id) => f.clients[Number(id.slice(1))],
          poison: (data, seed) => plantBackdoor(data, { trigger, target: 0, rate: 0.5, seed }),
          train: (id, data) => localUpdate(global, data, f.seed * 1000 + round * 10 + Number(id.slice(1))),
          seed: f.seed + round,
        });
        expect(Object.keys(poisoned.truth.localData!)).toEqual(MALICIOUS);
        return scaleUpdates(poisoned.output, { malicious: MALICIOUS, factor: 2 });
      };
      const triggered = triggerTestSet(f.test, backdoor);
      const asrOf = (m: ModelSnapshot) =>
        attackSuccessRate(
          classifierFromSnapshot(m).predict(triggered.x),
          triggered.targets,
          triggered.labels,
        );
      expect(asrOf(simulate(f, attack).at(-1)!)).toBeGreaterThan(0.8);
      expect(asrOf(simulate(f, null).at(-1)!)).toBeLessThan(0.1);
    });
  });
});

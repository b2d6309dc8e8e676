import { describe, expect, it } from 'vitest';
import { bucketing } from '../../../src/defenses/federated/bucketing.js';
import { bulyan } from '../../../src/defenses/federated/bulyan.js';
import { centeredClipping } from '../../../src/defenses/federated/centered-clipping.js';
import { median, trimmedMean } from '../../../src/defenses/federated/coordinate-wise.js';
import { fedAvg } from '../../../src/defenses/federated/fedavg.js';
import { flTrust } from '../../../src/defenses/federated/fltrust.js';
import { foolsGold } from '../../../src/defenses/federated/foolsgold.js';
import { geometricMedian } from '../../../src/defenses/federated/geometric-median.js';
import { krum, multiKrum } from '../../../src/defenses/federated/krum.js';
import { normClipping } from '../../../src/defenses/federated/norm-clipping.js';
import { screenedMean } from '../../../src/defenses/federated/screened-mean.js';
import type { Aggregate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { copyUpdates, gaussianClients, gaussianVector, SEEDS, shuffled } from './fixtures.js';

const D = 48;

/** Fresh rules (FoolsGold keeps history, so every use gets a new one). */
function rules(): [string, Aggregate][] {
  const server = gaussianVector(new Rng(99), D);
  return [
    ['fedavg', fedAvg()],
    ['median', median()],
    ['trimmed-mean', trimmedMean({ f: 3 })],
    ['krum', krum({ f: 3 })],
    ['multi-krum', multiKrum({ f: 3 })],
    ['bulyan', bulyan({ f: 3 })],
    ['geometric-median', geometricMedian()],
    ['norm-clipping', normClipping({ noise: 0.1 })],
    ['centered-clipping', centeredClipping()],
    ['screened-mean', screenedMean({ f: 3 })],
    ['fltrust', flTrust({ serverUpdate: server })],
    ['foolsgold', foolsGold()],
    ['bucketing(krum)', bucketing({ s: 2 }, krum({ f: 1 }))],
  ];
}

function round(seed: number): ReturnType<typeof gaussianClients> {
  const rng = new Rng(seed);
  const honest = gaussianClients(rng, 12, gaussianVector(rng, D), 1).map((u) => ({
    ...u,
    weight: 1 + rng.int(3),
  }));
  const attackers = gaussianClients(rng, 3, gaussianVector(rng, D, 10), 0.5, 'x');
  return [...honest, ...attackers];
}

describe('properties of every rule', () => {
  it.each(rules())('%s leaves its input untouched', (_, rule) => {
    for (const seed of SEEDS) {
      const updates = round(seed);
      const before = copyUpdates(updates);
      rule(updates, { seed, round: 1 });
      expect(updates).toEqual(before);
    }
  });

  it.each(rules().filter(([name]) => !name.startsWith('bucketing')))(
    '%s does not depend on the order of the clients',
    (name) => {
      for (const seed of SEEDS) {
        const updates = round(seed);
        const make = (): Aggregate => rules().find(([n]) => n === name)![1];
        const a = make()(updates, { seed, round: 1 });
        const b = make()(shuffled(updates, seed + 1), { seed, round: 1 });
        a.update.forEach((v, j) => {
          expect(b.update[j]).toBeCloseTo(v, 4);
        });
        expect([...b.accepted].sort()).toEqual([...a.accepted].sort());
        for (const u of updates) expect(b.scores[u.id]).toBeCloseTo(a.scores[u.id], 2);
      }
    },
  );

  it.each(rules())(
    '%s scores every client with a finite number and accepts only known clients',
    (_, rule) => {
      const updates = round(7);
      const result = rule(updates, { seed: 7 });
      expect(Object.keys(result.scores).sort()).toEqual(updates.map((u) => u.id).sort());
      for (const s of Object.values(result.scores)) expect(Number.isFinite(s)).toBe(true);
      for (const id of result.accepted) expect(updates.some((u) => u.id === id)).toBe(true);
      expect(result.update).toHaveLength(D);
    },
  );
});

/** Same seed, same output, byte for byte — for every attack, including those that train or search. */
import { describe, expect, it } from 'vitest';
import { availabilityPoisoning } from '../../src/attacks/availability.js';
import { plantBackdoor } from '../../src/attacks/backdoor.js';
import { randomBitFlips } from '../../src/attacks/bit-flip.js';
import { bitFlipSearch } from '../../src/attacks/bit-flip-search.js';
import { featureCollision } from '../../src/attacks/feature-collision.js';
import { injectMislabeledDuplicates, injectRandomNoise } from '../../src/attacks/injection.js';
import { flipLabelsAdversarial } from '../../src/attacks/label-flip.js';
import { sparseBackdoor } from '../../src/attacks/sparse-backdoor.js';
import { blendTrigger, patchTrigger } from '../../src/attacks/triggers.js';
import { gaussianWeightNoise } from '../../src/attacks/weight-noise.js';
import type { Dataset } from '../../src/data/dataset.js';
import { subset } from '../../src/data/split.js';
import type { ModelSnapshot } from '../../src/models/architecture.js';
import { digitsSplit, fitModel } from './digits.js';
import { fingerprint } from './helpers.js';

const { train, test } = digitsSplit(7);
const small = subset(
  train,
  Array.from({ length: 400 }, (_, i) => i),
);
const validation = subset(
  train,
  Array.from({ length: 100 }, (_, i) => 400 + i),
);
const mlp = fitModel('mlp', small, 7, { hidden: 32, epochs: 5 });
const snapshot = mlp.toSnapshot();

function weightBytes(s: ModelSnapshot): string {
  return JSON.stringify(
    [...s.weights].map(([name, t]) => [name, Array.from(new Uint32Array(t.data.slice().buffer))]),
  );
}

const dataAttacks: [string, (seed: number) => { output: Dataset; truth: object }][] = [
  [
    'BadNets',
    (seed) =>
      plantBackdoor(small, {
        trigger: patchTrigger({ imageShape: [1, 8, 8], value: 16 }),
        target: 1,
        rate: 0.1,
        seed,
      }),
  ],
  [
    'blend',
    (seed) =>
      plantBackdoor(small, {
        trigger: blendTrigger({ features: 64, alpha: 0.1, range: [0, 16], seed }),
        target: 1,
        rate: 0.1,
        seed,
      }),
  ],
  ['random noise', (seed) => injectRandomNoise(small, { count: 5, seed })],
  ['duplicates', (seed) => injectMislabeledDuplicates(small, { count: 5, seed })],
  [
    'adversarial flip',
    (seed) => flipLabelsAdversarial(small, { probabilities: mlp.predictProba(small.x), rate: 0.1, seed }),
  ],
  [
    'availability',
    (seed) => availabilityPoisoning(small, { count: 5, validation, iterations: 2, epochs: 3, seed }),
  ],
  [
    'feature collision',
    (seed) =>
      featureCollision(small, {
        extractor: snapshot,
        target: test.x.data.slice(0, 64),
        baseClass: 3,
        count: 2,
        iterations: 10,
        seed,
      }),
  ],
];

const weightAttacks: [string, () => { output: ModelSnapshot; truth: object }][] = [
  ['random bit flips', () => randomBitFlips(snapshot, { count: 10, seed: 3 })],
  ['weight noise', () => gaussianWeightNoise(snapshot, { sigma: 0.01, seed: 3 })],
  ['bit-flip search', () => bitFlipSearch(snapshot, { data: validation, maxFlips: 3 })],
  [
    'sparse backdoor',
    () =>
      sparseBackdoor(snapshot, {
        data: validation,
        trigger: patchTrigger({ imageShape: [1, 8, 8], value: 16 }),
        target: 0,
        k: 5,
        steps: 10,
      }),
  ],
];

describe('determinism', () => {
  for (const [name, attack] of dataAttacks) {
    it(`${name}: same seed → identical dataset and truth; another seed → different`, () => {
      const a = attack(11);
      const b = attack(11);
      expect(fingerprint(b.output)).toBe(fingerprint(a.output));
      expect(JSON.stringify(b.truth)).toBe(JSON.stringify(a.truth));
      expect(JSON.stringify(attack(12).truth)).not.toBe(JSON.stringify(a.truth));
    });
  }
  for (const [name, attack] of weightAttacks) {
    it(`${name}: identical weights and truth on every run`, () => {
      const a = attack();
      const b = attack();
      expect(weightBytes(b.output)).toBe(weightBytes(a.output));
      expect(JSON.stringify(b.truth)).toBe(JSON.stringify(a.truth));
    });
  }
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BitField, randomBitFlips } from '../../../src/attacks/bit-flip.js';
import { bitFlipSearch } from '../../../src/attacks/bit-flip-search.js';
import { sparseBackdoor } from '../../../src/attacks/sparse-backdoor.js';
import { patchTrigger } from '../../../src/attacks/triggers.js';
import { gaussianWeightNoise } from '../../../src/attacks/weight-noise.js';
import { WeightEditor } from '../../../src/attacks/weight-truth.js';
import {
  classify,
  DEFAULT_DIFF_THRESHOLDS,
  diffModelFiles,
  diffSnapshots,
} from '../../../src/defenses/integrity/weight-diff.js';
import { Rng } from '../../../src/engine/rng.js';
import { saveModel } from '../../../src/models/persistence.js';
import { syntheticDataset } from '../../attacks/helpers.js';
import { foundChanges, plantedChanges, seededModel } from './diff-helpers.js';
import { tempDir } from './helpers.js';

const ALL = { maxElements: Number.POSITIVE_INFINITY };
const dir = tempDir();

describe('weight diff of planted bit flips', () => {
  const cases: [number, BitField, number][] = [
    [1, 'any', 1],
    [2, 'sign', 5],
    [3, 'exponent', 12],
    [4, 'mantissa', 40],
    [5, 'any', 25],
  ];
  it.each(cases)('seed %i, %s bits, %i flips: all found, nothing else', (seed, bits, count) => {
    const clean = seededModel(seed);
    const attack = randomBitFlips(clean, { count, bits, seed });
    const diff = diffSnapshots(clean, attack.output, ALL);
    expect(foundChanges(diff)).toEqual(plantedChanges(attack.truth.changes));
    expect(diff.summary.changedElements).toBe(attack.truth.changes.length);
    expect(diff.summary.classification).toBe('bit-flip');
    const flipped = attack.truth.changes.flatMap((c) => c.bits);
    expect(diff.summary.bitFlips).toEqual({
      sign: flipped.filter((b) => b === 31).length,
      exponent: flipped.filter((b) => b >= 23 && b <= 30).length,
      mantissa: flipped.filter((b) => b < 23).length,
    });
    for (const t of diff.tensors) {
      const histogram = new Array<number>(32).fill(0);
      for (const e of t.elements) for (const b of e.bits) histogram[b]++;
      expect(t.bitHistogram).toEqual(histogram);
    }
  });

  it('finds the same changes in model folders saved to disk', () => {
    for (const seed of [11, 12, 13]) {
      const clean = seededModel(seed);
      const attack = randomBitFlips(clean, { count: 8, seed });
      saveModel(join(dir, `clean-${seed}`), clean);
      saveModel(join(dir, `flipped-${seed}`), attack.output);
      const diff = diffModelFiles(join(dir, `clean-${seed}`), join(dir, `flipped-${seed}`), ALL);
      expect(foundChanges(diff)).toEqual(plantedChanges(attack.truth.changes));
      expect(diff.a.format).toBe('antidote-model');
      expect(diff.metadata).toEqual([]);
    }
  });

  it('finds flips that keep the value equal or only change a NaN payload', () => {
    const clean = seededModel(21);
    const zeroed = new WeightEditor(clean);
    zeroed.setValue('layers.0.bias', 3, 0);
    zeroed.setBits('layers.0.bias', 4, 0x7fc00000);
    const before = zeroed.snapshot;
    const after = new WeightEditor(before);
    after.flipBit('layers.0.bias', 3, 31); // +0 → −0: equal as numbers
    after.flipBit('layers.0.bias', 4, 0); // another NaN
    const diff = diffSnapshots(before, after.snapshot, ALL);
    const bias = diff.tensors.find((t) => t.name === 'layers.0.bias')!;
    expect(bias.elements.map((e) => [e.index, e.bits])).toEqual([
      [3, [31]],
      [4, [0]],
    ]);
    expect(bias.elements[0]).toMatchObject({ before: '0x00000000', after: '0x80000000' });
    expect(bias.nonFinite).toBe(1);
    expect(bias.maxAbsDelta).toBe(0);
    expect(diff.summary.changedElements).toBe(2);
  });
});

describe('weight diff of sparse edits and dense changes', () => {
  it.each([31, 32, 33])(
    'seed %i: k random weights set to new values are found exactly, as sparse',
    (seed) => {
      const clean = seededModel(seed);
      const rng = new Rng(seed);
      const editor = new WeightEditor(clean);
      const names = [...clean.weights.keys()];
      for (let j = 0; j < 10; j++) {
        const name = names[rng.int(2) * 2]; // the two weight matrices
        const index = rng.int(clean.weights.get(name)!.data.length);
        editor.setValue(name, index, 2 * rng.normal() + 1);
      }
      const truth = editor.result({ attack: 'test-edit', seed, params: {} }).truth;
      const diff = diffSnapshots(clean, editor.snapshot, ALL);
      expect(foundChanges(diff)).toEqual(plantedChanges(truth.changes));
      expect(diff.summary.classification).toBe('sparse');
      expect(diff.summary.changedElements).toBe(truth.changes.length);
      const largest = Math.max(...truth.changes.map((c) => Math.abs(toFloat(c.after) - toFloat(c.before))));
      expect(Math.max(...diff.tensors.map((t) => t.maxAbsDelta ?? 0))).toBeCloseTo(largest, 6);
    },
  );

  it.each([41, 42])(
    'seed %i: Gaussian noise on every weight is dense, with the right relative L2',
    (seed) => {
      const clean = seededModel(seed);
      const attack = gaussianWeightNoise(clean, { sigma: 0.05, relative: true, seed });
      const diff = diffSnapshots(clean, attack.output, ALL);
      expect(diff.summary.classification).toBe('dense');
      expect(foundChanges(diff)).toEqual(plantedChanges(attack.truth.changes));
      for (const t of diff.tensors) {
        const a = clean.weights.get(t.name)!.data;
        const b = attack.output.weights.get(t.name)!.data;
        let num = 0;
        let den = 0;
        for (let i = 0; i < a.length; i++) {
          num += (b[i] - a[i]) ** 2;
          den += a[i] ** 2;
        }
        expect(t.relativeL2).toBeCloseTo(Math.sqrt(num / den), 10);
        expect(t.relativeL2).toBeGreaterThan(0.02);
        expect(t.relativeL2).toBeLessThan(0.1);
      }
    },
  );

  it('an unchanged model is identical, with no changes at all', () => {
    const clean = seededModel(51);
    const diff = diffSnapshots(clean, seededModel(51), ALL);
    expect(diff.identical).toBe(true);
    expect(diff.summary.changedElements).toBe(0);
    expect(diff.summary.classification).toBeNull();
    expect(diff.tensors.every((t) => t.status === 'unchanged' && t.elements.length === 0)).toBe(true);
  });

  it('caps the listed elements but counts them all', () => {
    const clean = seededModel(52);
    const attack = gaussianWeightNoise(clean, { sigma: 0.1, seed: 52 });
    const diff = diffSnapshots(clean, attack.output, { maxElements: 3 });
    for (const t of diff.tensors) {
      expect(t.elements.length).toBe(Math.min(3, t.changed));
      expect(t.changed).toBe(t.size);
    }
  });
});

describe('classification thresholds', () => {
  const { maxFlipBits, sparseFraction } = DEFAULT_DIFF_THRESHOLDS;
  it('follows the documented rules', () => {
    const t = { maxFlipBits, sparseFraction };
    expect(classify(1, 1000, 1, t)).toBe('bit-flip');
    expect(classify(400, 1000, 2, t)).toBe('bit-flip');
    expect(classify(600, 1000, 1, t)).toBe('dense'); // a dense change of low bits is not a bit-flip attack
    expect(classify(100, 1000, 3, t)).toBe('sparse');
    expect(classify(101, 1000, 3, t)).toBe('dense');
  });
});

function toFloat(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}

describe('weight diff of the gradient-guided parameter attacks', () => {
  it.each([61, 62])('seed %i: progressive bit-flip search and the sparse backdoor, found exactly', (seed) => {
    const clean = seededModel(seed, 16, 12, 4);
    const data = syntheticDataset(seed, 80, 16, 4);
    const flips = bitFlipSearch(clean, { data, maxFlips: 5, targetAccuracy: 0 });
    const flipDiff = diffSnapshots(clean, flips.output, ALL);
    expect(flips.truth.changes.length).toBeGreaterThan(0);
    expect(foundChanges(flipDiff)).toEqual(plantedChanges(flips.truth.changes));
    // The search may flip the same weight more than once; such an element no longer reads as a bit flip.
    const mostBits = Math.max(...flips.truth.changes.map((c) => c.bits.length));
    expect(flipDiff.summary.classification).toBe(mostBits <= 2 ? 'bit-flip' : 'sparse');

    const trigger = patchTrigger({ imageShape: [1, 4, 4], size: 2, value: 16 });
    const backdoor = sparseBackdoor(clean, { data, trigger, target: 0, k: 8, steps: 40 });
    const backdoorDiff = diffSnapshots(clean, backdoor.output, ALL);
    expect(backdoor.truth.changes.length).toBeGreaterThan(0);
    expect(foundChanges(backdoorDiff)).toEqual(plantedChanges(backdoor.truth.changes));
    expect(backdoorDiff.summary.classification).toBe('sparse');
  });
});

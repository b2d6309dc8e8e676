import { describe, expect, it } from 'vitest';
import { plantBackdoor, triggerTestSet } from '../../src/attacks/backdoor.js';
import { applyTrigger, patchTrigger, type TriggerSpec } from '../../src/attacks/triggers.js';
import { expectExactTruth, fingerprint, syntheticDataset } from './helpers.js';

const patch = patchTrigger({ imageShape: [1, 4, 4], size: 2, value: 16 });
const tabular: TriggerSpec = { kind: 'tabular', features: [0, 5], values: [-3, 20] };

function rowOf(data: Float32Array, i: number, d: number): Float32Array {
  return data.subarray(i * d, (i + 1) * d);
}

describe('plantBackdoor', () => {
  for (const seed of [1, 2, 3]) {
    for (const trigger of [patch, tabular]) {
      it(`all-to-one: non-target samples get the trigger and the target label (${trigger.kind}, seed ${seed})`, () => {
        const clean = syntheticDataset(seed, 200, 16, 4);
        const before = fingerprint(clean);
        const result = plantBackdoor(clean, { trigger, target: 2, rate: 0.1, seed });
        expect(result.poisoned.length).toBe(20);
        const expected = new Float32Array(16);
        for (const i of result.poisoned) {
          expect(clean.y[i]).not.toBe(2);
          expect(result.output.y[i]).toBe(2);
          applyTrigger(trigger, rowOf(clean.x.data, i, 16), expected);
          expect(rowOf(result.output.x.data, i, 16)).toEqual(expected);
        }
        expect(result.truth.backdoor).toEqual({ trigger, target: 2, allToAll: false, cleanLabel: false });
        expect(result.truth.attack).toBe(trigger.kind === 'patch' ? 'badnets' : 'tabular-trigger');
        expectExactTruth(clean, before, result);
      });
    }

    it(`all-to-all: label y becomes y + 1 mod K (seed ${seed})`, () => {
      const clean = syntheticDataset(seed, 200, 16, 4);
      const before = fingerprint(clean);
      const result = plantBackdoor(clean, { trigger: patch, allToAll: true, count: 40, seed });
      expect(result.poisoned.length).toBe(40);
      for (const c of result.truth.changed) expect(c.label).toBe((c.originalLabel + 1) % 4);
      expect(result.truth.backdoor?.target).toBeNull();
      expectExactTruth(clean, before, result);
    });

    it(`clean-label: only target-class samples are triggered and no label changes (seed ${seed})`, () => {
      const clean = syntheticDataset(seed, 200, 16, 4);
      const before = fingerprint(clean);
      const trigger: TriggerSpec = {
        kind: 'signal',
        imageShape: [1, 4, 4],
        delta: 3,
        frequency: 1,
        range: [0, 16],
      };
      const result = plantBackdoor(clean, { trigger, target: 1, cleanLabel: true, count: 15, seed });
      expect(result.poisoned.length).toBe(15);
      for (const c of result.truth.changed) {
        expect(c.originalLabel).toBe(1);
        expect(c.label).toBe(1);
        expect(c.features).toBeDefined();
      }
      expect(Array.from(result.output.y)).toEqual(Array.from(clean.y));
      expectExactTruth(clean, before, result);
    });
  }

  it('rejects impossible configurations', () => {
    const clean = syntheticDataset(1, 200, 16, 4);
    const targets = clean.y.filter((v) => v === 0).length;
    expect(() => plantBackdoor(clean, { trigger: patch, rate: 0.1, seed: 1 })).toThrow(
      /needs a target class/,
    );
    expect(() =>
      plantBackdoor(clean, {
        trigger: patch,
        target: 0,
        allToAll: true,
        cleanLabel: true,
        rate: 0.1,
        seed: 1,
      }),
    ).toThrow(/clean-label backdoor must be all-to-one/);
    expect(() =>
      plantBackdoor(clean, { trigger: patch, target: 0, cleanLabel: true, count: targets + 1, seed: 1 }),
    ).toThrow(new RegExp(`only ${targets} are available`));
    const wide = patchTrigger({ imageShape: [1, 8, 8], value: 1 });
    expect(() => plantBackdoor(clean, { trigger: wide, target: 0, rate: 0.1, seed: 1 })).toThrow(
      /has 64 values but rows have 16/,
    );
  });
});

describe('triggerTestSet', () => {
  it('triggers every non-target sample and records its target (all-to-one)', () => {
    const clean = syntheticDataset(4, 60, 16, 3);
    const set = triggerTestSet(clean, { trigger: patch, target: 0, allToAll: false, cleanLabel: false });
    const nonTarget = Array.from(clean.y.keys()).filter((i) => clean.y[i] !== 0);
    expect(Array.from(set.indices)).toEqual(nonTarget);
    expect(set.targets.every((t) => t === 0)).toBe(true);
    expect(Array.from(set.labels)).toEqual(nonTarget.map((i) => clean.y[i]));
    const expected = new Float32Array(16);
    nonTarget.forEach((i, r) => {
      applyTrigger(patch, rowOf(clean.x.data, i, 16), expected);
      expect(rowOf(set.x.data, r, 16)).toEqual(expected);
    });
  });

  it('keeps every sample for all-to-all, and aims clean-label backdoors at their target', () => {
    const clean = syntheticDataset(5, 60, 16, 3);
    const all = triggerTestSet(clean, { trigger: patch, target: null, allToAll: true, cleanLabel: false });
    expect(all.indices.length).toBe(60);
    expect(Array.from(all.targets)).toEqual(Array.from(clean.y, (y) => (y + 1) % 3));
    const sig = triggerTestSet(clean, { trigger: patch, target: 2, allToAll: false, cleanLabel: true });
    expect(sig.targets.every((t) => t === 2)).toBe(true);
    expect(sig.labels.every((y) => y !== 2)).toBe(true);
  });
});

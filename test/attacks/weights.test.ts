import { describe, expect, it } from 'vitest';
import { BIT_FIELD_RANGE, type BitField, randomBitFlips } from '../../src/attacks/bit-flip.js';
import { gaussianWeightNoise } from '../../src/attacks/weight-noise.js';
import {
  applyWeightTruth,
  bitsAt,
  bitsToFloat,
  floatToBits,
  type WeightAttackResult,
} from '../../src/attacks/weight-truth.js';
import { Rng } from '../../src/engine/rng.js';
import type { Tensor } from '../../src/engine/tensor.js';
import type { ModelSnapshot } from '../../src/models/architecture.js';

function smallModel(seed: number): ModelSnapshot {
  const rng = new Rng(seed);
  const t = (shape: number[]): Tensor => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.5 * rng.normal()),
  });
  return {
    architecture: {
      format: 'antidote-model',
      version: 1,
      kind: 'mlp',
      inputShape: [6],
      numClasses: 3,
      layers: [
        { type: 'dense', inputs: 6, units: 5 },
        { type: 'relu' },
        { type: 'dense', inputs: 5, units: 3 },
        { type: 'softmax' },
      ],
    },
    weights: new Map([
      ['layers.0.weight', t([6, 5])],
      ['layers.0.bias', t([5])],
      ['layers.2.weight', t([5, 3])],
      ['layers.2.bias', t([3])],
    ]),
  };
}

function bitsOf(snapshot: ModelSnapshot): string {
  return JSON.stringify(
    [...snapshot.weights].map(([name, t]) => [
      name,
      t.shape,
      Array.from(new Uint32Array(t.data.slice().buffer)),
    ]),
  );
}

/** Input untouched, truth JSON round trip replays exactly, `poisoned` are the offsets of the changed elements. */
function expectExact(clean: ModelSnapshot, before: string, result: WeightAttackResult): void {
  expect(bitsOf(clean)).toBe(before);
  const truth = JSON.parse(JSON.stringify(result.truth));
  expect(bitsOf(applyWeightTruth(clean, truth))).toBe(bitsOf(result.output));
  const changed: number[] = [];
  let offset = 0;
  for (const [name, t] of clean.weights) {
    const out = result.output.weights.get(name)!.data;
    for (let i = 0; i < t.data.length; i++)
      if (bitsAt(t.data, i) !== bitsAt(out, i)) changed.push(offset + i);
    offset += t.data.length;
  }
  expect(Array.from(result.poisoned)).toEqual(changed);
  for (const c of result.truth.changes) {
    expect(c.before).toBe(bitsAt(clean.weights.get(c.tensor)!.data, c.index));
    expect(c.after).toBe(bitsAt(result.output.weights.get(c.tensor)!.data, c.index));
  }
}

describe('float32 bits', () => {
  it('round-trips values and bit patterns', () => {
    expect(floatToBits(1)).toBe(0x3f800000);
    expect(floatToBits(-2)).toBe(0xc0000000);
    expect(bitsToFloat(0x40490fdb)).toBeCloseTo(Math.PI, 6);
  });
});

describe('gaussianWeightNoise', () => {
  for (const seed of [1, 2, 3]) {
    it(`adds N(0, σ²) to every chosen element (seed ${seed})`, () => {
      const clean = smallModel(seed);
      const before = bitsOf(clean);
      const result = gaussianWeightNoise(clean, { sigma: 0.1, seed });
      expectExact(clean, before, result);
      expect(result.truth.changes.length).toBe(30 + 5 + 15 + 3);
      const deltas = result.truth.changes.map((c) => bitsToFloat(c.after) - bitsToFloat(c.before));
      const rms = Math.sqrt(deltas.reduce((s, v) => s + v * v, 0) / deltas.length);
      expect(rms).toBeGreaterThan(0.06);
      expect(rms).toBeLessThan(0.14);
      expect(bitsOf(gaussianWeightNoise(clean, { sigma: 0.1, seed }).output)).toBe(bitsOf(result.output));
    });
  }

  it('touches only the named tensors, and relative σ scales with each tensor', () => {
    const clean = smallModel(4);
    const before = bitsOf(clean);
    const result = gaussianWeightNoise(clean, {
      sigma: 0.01,
      relative: true,
      tensors: ['layers.2.weight'],
      seed: 4,
    });
    expectExact(clean, before, result);
    expect(new Set(result.truth.changes.map((c) => c.tensor))).toEqual(new Set(['layers.2.weight']));
    expect(() => gaussianWeightNoise(clean, { sigma: 0.1, tensors: ['nope'], seed: 1 })).toThrow(
      /no tensor "nope"/,
    );
    expect(() => gaussianWeightNoise(clean, { sigma: -1, seed: 1 })).toThrow(/sigma/);
  });
});

describe('randomBitFlips', () => {
  for (const seed of [1, 2, 3, 4]) {
    for (const bits of ['sign', 'exponent', 'mantissa', 'any'] as BitField[]) {
      it(`flips count distinct ${bits} bits, keeping weights finite (seed ${seed})`, () => {
        const clean = smallModel(seed);
        const before = bitsOf(clean);
        const result = randomBitFlips(clean, { count: 12, bits, seed });
        expectExact(clean, before, result);
        const [lo, hi] = BIT_FIELD_RANGE[bits];
        const flipped = result.truth.changes.flatMap((c) => c.bits.map((b) => `${c.tensor}:${c.index}:${b}`));
        expect(new Set(flipped).size).toBe(12);
        for (const c of result.truth.changes) {
          for (const b of c.bits) {
            expect(b).toBeGreaterThanOrEqual(lo);
            expect(b).toBeLessThanOrEqual(hi);
          }
          expect(Number.isFinite(bitsToFloat(c.after))).toBe(true);
          // before XOR after has exactly the recorded bits set
          expect(((c.before ^ c.after) >>> 0).toString(2).split('1').length - 1).toBe(c.bits.length);
        }
      });
    }
  }

  it('keeps non-finite flips only when asked', () => {
    // 1.5 has exponent 127: flipping bit 30 gives exponent 255, a NaN pattern.
    const clean = smallModel(1);
    clean.weights.set('layers.0.bias', { shape: [5], data: new Float32Array(5).fill(1.5) });
    const nonFinite = (allowNonFinite: boolean, seed: number) =>
      randomBitFlips(clean, {
        count: 3,
        bits: 'exponent',
        tensors: ['layers.0.bias'],
        allowNonFinite,
        seed,
      }).truth.changes.some((c) => !Number.isFinite(bitsToFloat(c.after)));
    const seeds = Array.from({ length: 20 }, (_, s) => s);
    expect(seeds.some((s) => nonFinite(true, s))).toBe(true);
    expect(seeds.some((s) => nonFinite(false, s))).toBe(false);
  });

  it('applyWeightTruth refuses a truth for another model', () => {
    const result = randomBitFlips(smallModel(1), { count: 3, seed: 1 });
    expect(() => applyWeightTruth(smallModel(2), result.truth)).toThrow(/the truth says bits/);
    expect(() => randomBitFlips(smallModel(1), { count: -1, seed: 1 })).toThrow(/count must be an integer/);
  });
});

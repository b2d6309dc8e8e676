import { describe, expect, it } from 'vitest';
import {
  applyTrigger,
  blendTrigger,
  patchTrigger,
  type TriggerSpec,
  testTimeTrigger,
  validateTrigger,
} from '../../src/attacks/triggers.js';
import { InputError } from '../../src/errors.js';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

function triggered(spec: TriggerSpec, row: Float32Array): number[] {
  const out = new Float32Array(row.length);
  applyTrigger(spec, row, out);
  return Array.from(out);
}

describe('triggers', () => {
  it('patch: a 2×2 square of the value at the bottom-right corner of each channel', () => {
    const spec = patchTrigger({ imageShape: [2, 3, 3], size: 2, value: 99 });
    expect(spec.position).toEqual([1, 1]);
    // channel 0 holds 0…8, channel 1 holds 9…17; the bottom-right 2×2 of each is 4, 5, 7, 8 (+9).
    const expected = Array.from(ramp(18));
    for (const k of [4, 5, 7, 8, 13, 14, 16, 17]) expected[k] = 99;
    expect(triggered(spec, ramp(18))).toEqual(expected);
  });

  it('patch: explicit position and the default size (a quarter of the side)', () => {
    const spec = patchTrigger({ imageShape: [1, 8, 8], position: [0, 2], value: 16 });
    expect(spec.size).toEqual([2, 2]);
    const out = triggered(spec, new Float32Array(64));
    expect(out.flatMap((v, k) => (v === 16 ? [k] : []))).toEqual([2, 3, 10, 11]);
  });

  it('blend: (1 − α) x + α pattern', () => {
    const spec: TriggerSpec = { kind: 'blend', alpha: 0.25, pattern: [4, 8, 0, 16] };
    expect(triggered(spec, Float32Array.of(0, 8, 16, 4))).toEqual([1, 8, 12, 7]);
  });

  for (const seed of [1, 2, 3]) {
    it(`blendTrigger draws a seeded pattern inside the range (seed ${seed})`, () => {
      const a = blendTrigger({ features: 50, alpha: 0.2, range: [0, 16], seed });
      const b = blendTrigger({ features: 50, alpha: 0.2, range: [0, 16], seed });
      expect(a).toEqual(b);
      expect(a.pattern.every((v) => v >= 0 && v <= 16)).toBe(true);
      expect(new Set(a.pattern).size).toBeGreaterThan(40);
      expect(blendTrigger({ features: 50, alpha: 0.2, range: [0, 16], seed: seed + 10 }).pattern).not.toEqual(
        a.pattern,
      );
    });
  }

  it('signal: delta · sin(2π j f / width) along each row, clipped to the range', () => {
    const spec: TriggerSpec = {
      kind: 'signal',
      imageShape: [1, 2, 4],
      delta: 2,
      frequency: 1,
      range: [0, 3],
    };
    const row = Float32Array.of(1, 1, 1, 1, 0, 0, 0, 0);
    // sin(2π j / 4) for j = 0…3 is 0, 1, 0, −1.
    expect(triggered(spec, row).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 3, 1, 0, 0, 2, 0, 0]);
  });

  it('a signal trigger is stamped on test inputs with its test-time amplitude', () => {
    const spec: TriggerSpec = {
      kind: 'signal',
      imageShape: [1, 1, 4],
      delta: 1,
      testDelta: 3,
      frequency: 1,
      range: [-5, 5],
    };
    expect(testTimeTrigger(spec)).toEqual({
      kind: 'signal',
      imageShape: [1, 1, 4],
      delta: 3,
      frequency: 1,
      range: [-5, 5],
    });
    expect(
      triggered(testTimeTrigger(spec), new Float32Array(4)).map((v) => Math.round(v * 1e6) / 1e6),
    ).toEqual([0, 3, 0, -3]);
    const patch = patchTrigger({ imageShape: [1, 4, 4], value: 1 });
    expect(testTimeTrigger(patch)).toBe(patch);
  });

  it('tabular: the listed features take the listed values', () => {
    const spec: TriggerSpec = { kind: 'tabular', features: [3, 0], values: [-1, 7] };
    expect(triggered(spec, ramp(5))).toEqual([7, 1, 2, -1, 4]);
  });

  it('applies in place when out is the row', () => {
    const row = ramp(4);
    applyTrigger({ kind: 'blend', alpha: 0.5, pattern: [2, 2, 2, 2] }, row, row);
    expect(Array.from(row)).toEqual([1, 1.5, 2, 2.5]);
  });

  it('rejects specs that do not fit the rows, naming the field', () => {
    const cases: [TriggerSpec, number, RegExp, string][] = [
      [
        { kind: 'patch', imageShape: [1, 4, 4], size: [3, 3], position: [2, 2], value: 1 },
        16,
        /does not fit/,
        'position',
      ],
      [
        { kind: 'patch', imageShape: [1, 4, 4], size: [1, 1], position: [0, 0], value: 1 },
        15,
        /has 16 values/,
        'imageShape',
      ],
      [{ kind: 'blend', alpha: 0, pattern: [1] }, 1, /alpha/, 'alpha'],
      [{ kind: 'blend', alpha: 0.5, pattern: [1, 2] }, 3, /2 values but rows have 3/, 'pattern'],
      [
        { kind: 'signal', imageShape: [1, 2, 2], delta: -1, frequency: 1, range: [0, 1] },
        4,
        /delta/,
        'delta',
      ],
      [{ kind: 'tabular', features: [1, 1], values: [0, 0] }, 4, /listed twice/, 'features'],
      [{ kind: 'tabular', features: [4], values: [0] }, 4, /outside \[0, 4\)/, 'features'],
      [{ kind: 'tabular', features: [0], values: [0, 1] }, 4, /1 features but 2 values/, 'values'],
    ];
    for (const [spec, features, message, field] of cases) {
      let error: unknown;
      try {
        validateTrigger(spec, features);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(message);
      expect((error as InputError).location.field).toBe(field);
    }
  });
});

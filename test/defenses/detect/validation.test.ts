import { describe, expect, it } from 'vitest';
import { injectMislabeledDuplicates } from '../../../src/attacks/injection.js';
import { loadDigits } from '../../../src/data/bundled.js';
import { parseCsv } from '../../../src/data/csv.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { subset } from '../../../src/data/split.js';
import { validateDataset } from '../../../src/defenses/detect/validation.js';
import { duplicateFindings } from '../../../src/defenses/detect/validation-duplicates.js';
import { alignReference } from '../../../src/defenses/detect/validation-reference.js';
import { Rng } from '../../../src/engine/rng.js';
import { InputError } from '../../../src/errors.js';
import { severityRank } from '../../../src/report/types.js';

const digits = loadDigits();

/** n samples of d standard-normal features (shifted by `shift` on feature 0), labels cycling over k classes. */
function gaussian(n: number, d: number, seed: number, shift = 0, k = 3): Dataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * d }, (_, i) => rng.normal() + (i % d === 0 ? shift : 0));
  return {
    x: { shape: [n, d], data: x },
    y: Int32Array.from({ length: n }, (_, i) => i % k),
    numClasses: k,
    featureNames: Array.from({ length: d }, (_, j) => `f${j}`),
  };
}

function sampleIds(
  findings: { ruleId: string; target: { kind: string; id: string } }[],
  rule: string,
): number[] {
  return findings
    .filter((f) => f.ruleId === rule && f.target.kind === 'sample')
    .map((f) => Number(f.target.id))
    .sort((a, b) => a - b);
}

describe('missing values', () => {
  it('reports every row with a missing cell, with its line, and rows without a label', () => {
    const csv = 'a,b,label\n1,2,0\n,3,1\n4,NA,0\n5,6,\n7,8,1\n';
    const dataset = parseCsv(csv, 'data.csv', { missing: 'keep' });
    const found = validateDataset(dataset).findings;
    const missing = found.filter((f) => f.ruleId === 'validation/missing-value');
    expect(missing.map((f) => f.target.line)).toEqual([3, 4]);
    expect(missing[0].message).toContain('a');
    expect(found.find((f) => f.ruleId === 'validation/missing-label')?.target.line).toBe(5);
  });
});

describe('duplicates', () => {
  it('finds every injected mislabelled copy as a conflicting duplicate (several seeds)', () => {
    for (const seed of [1, 2, 3]) {
      const attack = injectMislabeledDuplicates(digits, { count: 30, seed });
      const detection = validateDataset(attack.output);
      const conflicting = new Set(sampleIds(detection.findings, 'validation/conflicting-duplicate'));
      for (const i of attack.poisoned) expect(conflicting.has(i)).toBe(true);
      const injected = attack.truth.injected;
      // Every other conflicting sample is the original an injected copy was made from (or a copy of it).
      const expectedExtra = new Set<number>();
      for (const s of injected) {
        const row = attack.output.x.data.subarray(s.index * 64, (s.index + 1) * 64);
        for (let i = 0; i < digits.y.length; i++) {
          if (digits.x.data.subarray(i * 64, (i + 1) * 64).every((v, j) => v === row[j]))
            expectedExtra.add(i);
        }
      }
      expect(conflicting.size).toBe(attack.poisoned.length + expectedExtra.size);
      expect(detection.findings.find((f) => f.ruleId === 'validation/conflicting-duplicate')?.severity).toBe(
        'high',
      );
    }
  });

  it('the sweep finds exactly the pairs a brute-force search finds', () => {
    for (const seed of [4, 5, 6]) {
      const base = gaussian(300, 8, seed);
      const rng = new Rng(seed + 100);
      const x = base.x.data;
      // Plant near copies at several distances around the threshold (0.05 RMS per standardised feature).
      const planted: [number, number][] = [];
      for (let p = 0; p < 40; p++) {
        const from = rng.int(150);
        const to = 150 + p;
        const scale = 0.005 + 0.04 * rng.float();
        for (let j = 0; j < 8; j++) x[to * 8 + j] = x[from * 8 + j] + scale * rng.normal();
        base.y[to] = base.y[from];
        planted.push([from, to]);
      }
      const found = new Set(
        sampleIds(duplicateFindings(base, { tolerance: 0.05 }), 'validation/near-duplicate'),
      );
      const std = Array.from({ length: 8 }, (_, j) => {
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < 300; i++) {
          s += x[i * 8 + j];
          s2 += x[i * 8 + j] ** 2;
        }
        return Math.sqrt(s2 / 300 - (s / 300) ** 2);
      });
      const limit = 0.05 ** 2 * 8;
      const close = new Set<number>();
      for (let a = 0; a < 300; a++) {
        for (let b = a + 1; b < 300; b++) {
          let dist = 0;
          for (let j = 0; j < 8; j++) dist += ((x[a * 8 + j] - x[b * 8 + j]) / std[j]) ** 2;
          if (dist <= limit) close.add(b);
        }
      }
      expect(close.size).toBeGreaterThan(5);
      expect([...found].sort((a, b) => a - b)).toEqual([...close].sort((a, b) => a - b));
    }
  });

  it('clean digits have no duplicate at severity medium', () => {
    const detection = validateDataset(digits);
    expect(detection.findings.every((f) => severityRank(f.severity) < severityRank('medium'))).toBe(true);
    expect(detection.flagged.every((v) => v === 0)).toBe(true);
  });
});

describe('reference checks', () => {
  it('a reference with other columns is one error naming them', () => {
    const data = parseCsv('a,b,label\n1,2,0\n3,4,1\n', 'data.csv');
    const reference = {
      ...parseCsv('a,c,label\n1,2,0\n3,4,1\n', 'ref.csv'),
      source: { uri: 'ref.csv', sha256: '', format: 'csv' },
    };
    expect(() => alignReference(data, reference)).toThrow(InputError);
    expect(() => alignReference(data, reference)).toThrow(/only in the data: b; only in the reference: c/);
    expect(() => alignReference(data, reference)).toThrow(/^ref\.csv: /);
  });

  it('flags exactly the samples planted outside the reference range', () => {
    for (const seed of [7, 8]) {
      // Uniform features: bounded, so only the planted values can leave the reference's range.
      const uniform = (n: number, rngSeed: number): Dataset => {
        const rng = new Rng(rngSeed);
        return {
          ...gaussian(n, 5, rngSeed),
          x: { shape: [n, 5], data: Float32Array.from({ length: n * 5 }, () => rng.float()) },
        };
      };
      const reference = uniform(2000, seed);
      const data = uniform(500, seed + 1);
      const planted = [3, 77, 123, 400];
      for (const i of planted) data.x.data[i * 5 + 2] = 50;
      const found = sampleIds(validateDataset(data, { reference }).findings, 'validation/out-of-range');
      expect(found).toEqual(planted);
    }
  });

  it('finds the one shifted feature, and no drift against an independent draw', () => {
    for (const seed of [9, 10]) {
      const reference = gaussian(3000, 6, seed);
      const same = validateDataset(gaussian(3000, 6, seed + 1), { reference, duplicates: { tolerance: 0 } });
      expect(same.findings.filter((f) => f.ruleId === 'validation/feature-drift')).toEqual([]);
      const shifted = validateDataset(gaussian(3000, 6, seed + 1, 1), {
        reference,
        duplicates: { tolerance: 0 },
      });
      const drift = shifted.findings.filter((f) => f.ruleId === 'validation/feature-drift');
      expect(drift.map((f) => f.target.id)).toEqual(['f0']);
      expect(drift[0].severity).toBe('high');
    }
  });

  it('reports a class whose share doubled and the label drift', () => {
    const reference = gaussian(3000, 2, 11);
    const data = gaussian(3000, 2, 12);
    for (let i = 0; i < 3000; i += 2) if (data.y[i] === 1) data.y[i] = 0; // class 0: 1/3 → 1/2
    const findings = validateDataset(data, { reference, duplicates: { tolerance: 0 } }).findings;
    const balance = findings.filter((f) => f.ruleId === 'validation/class-balance');
    expect(balance.map((f) => f.target.id).sort()).toEqual(['0', '1']);
    expect(findings.some((f) => f.ruleId === 'validation/label-drift')).toBe(true);
  });

  it('digits against a held-out half of themselves raise nothing at medium', () => {
    const half = (parity: number) =>
      subset(
        digits,
        Array.from({ length: 898 }, (_, i) => 2 * i + parity),
      );
    const detection = validateDataset(half(0), { reference: half(1) });
    const serious = detection.findings.filter((f) => severityRank(f.severity) >= severityRank('medium'));
    expect(serious.length / 898).toBeLessThanOrEqual(0.02);
    expect(serious.filter((f) => f.target.kind !== 'sample')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/data/csv.js';
import { aggregateBySource } from '../../../src/defenses/detect/sources.js';
import { extractSourceColumn, MISSING_SOURCE } from '../../../src/defenses/detect/sources-column.js';
import { Rng } from '../../../src/engine/rng.js';
import { InputError } from '../../../src/errors.js';

describe('aggregateBySource', () => {
  it('reports exactly the planted source whose flag rate is far above the rest (several seeds)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const rng = new Rng(seed);
      const sources: string[] = [];
      const flagged: number[] = [];
      for (let s = 0; s < 20; s++) {
        const rate = s === 7 ? 0.3 : 0.05;
        for (let i = 0; i < 100; i++) {
          sources.push(`annotator-${s}`);
          flagged.push(rng.float() < rate ? 1 : 0);
        }
      }
      const report = aggregateBySource(sources, flagged, { uri: 'data.csv' });
      expect(report.findings.map((f) => f.target.id)).toEqual(['annotator-7']);
      expect(report.findings[0]).toMatchObject({
        ruleId: 'source/high-flag-rate',
        severity: 'high',
        target: { kind: 'source', uri: 'data.csv' },
      });
      expect(report.sources.find((s) => s.source === 'annotator-7')?.suspicious).toBe(true);
    }
  });

  it('reports nothing when every source shares one rate, and skips sources below the minimum count', () => {
    for (const seed of [5, 6]) {
      const rng = new Rng(seed);
      const sources = Array.from({ length: 3000 }, (_, i) => `batch-${i % 30}`);
      const flagged = sources.map(() => (rng.float() < 0.1 ? 1 : 0));
      expect(aggregateBySource(sources, flagged).findings).toEqual([]);
    }
    const tiny = aggregateBySource(
      ['a', 'a', 'a', ...Array(200).fill('b')],
      [1, 1, 1, ...Array(200).fill(0)],
    );
    expect(tiny.findings).toEqual([]);
    expect(tiny.sources.find((s) => s.source === 'a')).toMatchObject({ samples: 3, flagged: 3, rate: 1 });
  });
});

describe('extractSourceColumn', () => {
  const csv = 'x1,who,x2,label\n1,alice,2,0\n3,bob,4,1\n5,,6,0\n7,alice,8,1\n';

  it('pulls the column out of the features and names each sample’s source', () => {
    const dataset = parseCsv(csv, 'd.csv', { categorical: ['who'], missing: 'keep' });
    const { dataset: stripped, sources } = extractSourceColumn(dataset, 'who');
    expect(sources).toEqual(['alice', 'bob', MISSING_SOURCE, 'alice']);
    expect(stripped.featureNames).toEqual(['x1', 'x2']);
    expect(Array.from(stripped.x.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stripped.encodings).toBeUndefined();
  });

  it('names the missing column, and refuses the label column', () => {
    const dataset = parseCsv(csv, 'd.csv', { categorical: ['who'], missing: 'keep' });
    expect(() => extractSourceColumn(dataset, 'nobody')).toThrow(
      /no source column "nobody" \(columns: x1, who, x2\)/,
    );
    expect(() => extractSourceColumn(dataset, 'label')).toThrow(InputError);
  });
});

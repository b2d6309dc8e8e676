import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { loadJsonl, parseJsonl, writeJsonl } from '../../src/data/jsonl.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError, tabularDataset, tabularFields, tempDir } from './helpers.js';

const dir = tempDir();

/** A dataset whose features came from one array field `pixels` (names pixels[0], pixels[1], …). */
function arrayDataset(seed: number, n: number, d: number): Dataset {
  const rng = new Rng(seed);
  return {
    x: { shape: [n, d], data: Float32Array.from({ length: n * d }, () => Math.fround(rng.normal())) },
    y: Int32Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(2))),
    numClasses: 2,
    classNames: ['benign', 'malicious'],
    featureNames: Array.from({ length: d }, (_, j) => `pixels[${j}]`),
    labelColumn: { name: 'label', index: d },
  };
}

describe('JSONL round trip', () => {
  for (const seed of [1, 2, 3]) {
    it(`scalar fields with categorical values (seed ${seed})`, () => {
      const original = tabularDataset(seed, { rows: 30, numeric: 3, categorical: 2, labelIndex: seed });
      const text = writeJsonl(original);
      const parsed = parseJsonl(text, 'round.jsonl', { label: 'target' });
      expect(tabularFields(parsed)).toEqual(tabularFields(original));
      expect(writeJsonl(parsed)).toBe(text);
    });

    it(`an array feature field (seed ${seed})`, () => {
      const original = arrayDataset(seed, 20, 3 + seed);
      const text = writeJsonl(original);
      expect(text.split('\n')[0]).toMatch(/^\{"pixels":\[[^\]]+\],"label":"(benign|malicious)"\}$/);
      expect(tabularFields(parseJsonl(text, 'round.jsonl'))).toEqual(tabularFields(original));
    });
  }

  it('writes unnamed features as an "x" array and integer labels as numbers', () => {
    const d: Dataset = {
      x: { shape: [2, 2], data: Float32Array.of(0.1, 2, 3, -4.5) },
      y: Int32Array.of(1, 0),
      numClasses: 2,
    };
    expect(writeJsonl(d)).toBe('{"x":[0.1,2],"label":1}\n{"x":[3,-4.5],"label":0}\n');
  });

  it('reads .jsonl.gz and records the source', () => {
    const original = arrayDataset(4, 10, 2);
    const path = join(dir, 'set.jsonl.gz');
    writeFileSync(path, gzipSync(writeJsonl(original)));
    const loaded = loadJsonl(path);
    expect(tabularFields(loaded)).toEqual(tabularFields(original));
    expect(loaded.source).toMatchObject({ uri: path, format: 'jsonl' });
  });
});

describe('JSONL parsing', () => {
  it('encodes a worked example: blank lines, booleans, nulls kept as NaN, file lines', () => {
    const text =
      '{"a": 1, "on": true, "label": "y"}\n\n{"a": null, "on": false, "label": "x"}\n{"on": 1, "label": "y"}\n';
    const d = parseJsonl(text, 'w.jsonl', { missing: 'keep' });
    expect(d.featureNames).toEqual(['a', 'on']);
    expect(Array.from(d.x.data)).toEqual([1, 1, Number.NaN, 0, Number.NaN, 1]);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(Array.from(d.lines!)).toEqual([1, 3, 4]);
  });

  it('rejects missing values by default, naming the line', () => {
    expectInputError(
      () => parseJsonl('{"a":1,"label":0}\n{"label":1}\n', 'm.jsonl'),
      /missing value null; 1 missing/,
      {
        file: 'm.jsonl',
        row: 2,
        field: 'a',
      },
    );
  });
});

describe('JSONL bad input', () => {
  const cases: [string, string, RegExp, object][] = [
    ['bad JSON', '{"a":1,"label":0}\n{"a":2,\n', /not valid JSON/, { row: 2 }],
    ['not an object', '{"a":1,"label":0}\n[1,2]\n', /expected a JSON object per line/, { row: 2 }],
    [
      'nested object',
      '{"a":{"b":1},"label":0}\n',
      /nested object values are not supported/,
      { row: 1, field: 'a' },
    ],
    ['nested array', '{"a":[[1]],"label":0}\n', /nested array/, { row: 1, field: 'a[0]' }],
    [
      'ragged array',
      '{"x":[1,2],"label":0}\n{"x":[1],"label":1}\n',
      /array has 1 values but had 2 on line 1/,
      { row: 2, field: 'x' },
    ],
    [
      'stray text',
      '{"a":1,"label":0}\n{"a":2,"label":0}\n{"a":"oops","label":1}\n',
      /not a number: "oops"/,
      { row: 3, field: 'a' },
    ],
    ['negative label', '{"a":1,"label":-2}\n', /label -2 is negative/, { row: 1, field: 'label' }],
    [
      'mixed labels',
      '{"a":1,"label":"cat"}\n{"a":1,"label":2.5}\n',
      /is a number but other labels are class names/,
      { row: 2 },
    ],
    ['no label field', '{"a":1,"y":0}\n', /no label column "label" \(columns: a, y\)/, { field: 'label' }],
    ['empty file', '\n \n', /no JSON objects/, {}],
  ];
  for (const [name, text, pattern, location] of cases) {
    it(`rejects: ${name}`, () => {
      expectInputError(() => parseJsonl(text, 'bad.jsonl'), pattern, { file: 'bad.jsonl', ...location });
    });
  }
});

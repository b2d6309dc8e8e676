import { describe, expect, it } from 'vitest';
import {
  encodeNpzDataset,
  encodeSafetensorsDataset,
  parseNpzDataset,
  parseSafetensorsDataset,
} from '../../src/data/array-dataset.js';
import type { Dataset } from '../../src/data/dataset.js';
import { encodeNpz, type NpyInput } from '../../src/data/npy.js';
import { encodeSafetensors } from '../../src/data/safetensors.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError } from './helpers.js';

function randomDataset(seed: number, shape: number[], named: boolean): Dataset {
  const rng = new Rng(seed);
  const n = shape[0];
  const size = shape.reduce((a, b) => a * b, 1);
  const numClasses = 2 + rng.int(5);
  const d = size / n;
  const dataset: Dataset = {
    x: { shape, data: Float32Array.from({ length: size }, () => rng.normal()) },
    y: Int32Array.from({ length: n }, () => rng.int(numClasses)),
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => (named ? `class ${c} ✓` : String(c))),
  };
  if (named) dataset.featureNames = Array.from({ length: d }, (_, j) => `feature ${j}`);
  return dataset;
}

const formats = [
  ['NPZ', (d: Dataset) => parseNpzDataset(encodeNpzDataset(d, { compress: true }), 'd.npz')],
  ['safetensors', (d: Dataset) => parseSafetensorsDataset(encodeSafetensorsDataset(d), 'd.safetensors')],
] as const;

describe('array datasets round trip', () => {
  for (const [format, roundTrip] of formats) {
    for (const [seed, shape] of [
      [1, [10, 4]],
      [2, [6, 1, 5, 5]],
      [3, [1, 3, 2, 2]],
    ] as const) {
      for (const named of [true, false]) {
        it(`${format}: x ${JSON.stringify(shape)}, ${named ? 'with' : 'without'} names (seed ${seed})`, () => {
          const original = randomDataset(seed, [...shape], named);
          expect(roundTrip(original)).toEqual(original);
        });
      }
    }
  }

  it('accepts X / labels, 1-D features, column labels and integral float labels', () => {
    const npz = encodeNpz(
      new Map<string, NpyInput>([
        ['X', { shape: [3], data: Float64Array.of(0.5, 1.5, 2.5) }],
        ['labels', { shape: [3, 1], data: Float64Array.of(2, 0, 1) }],
      ]),
    );
    const d = parseNpzDataset(npz, 'alt.npz');
    expect(d.x).toEqual({ shape: [3, 1], data: Float32Array.of(0.5, 1.5, 2.5) });
    expect(d.y).toEqual(Int32Array.of(2, 0, 1));
    expect(d.numClasses).toBe(3);
    expect(d.classNames).toEqual(['0', '1', '2']);
  });
});

describe('array datasets bad input', () => {
  const npz = (arrays: [string, NpyInput][]): Uint8Array => encodeNpz(new Map(arrays));
  const x = (data: number[]): [string, NpyInput] => [
    'x',
    { shape: [data.length, 1], data: Float32Array.from(data) },
  ];
  const y = (data: number[]): [string, NpyInput] => [
    'y',
    { shape: [data.length], data: Float64Array.from(data) },
  ];

  it('names the missing array', () => {
    expectInputError(
      () => parseNpzDataset(npz([x([1])]), 'a.npz'),
      /no array named "y" or "labels" \(arrays: x\)/,
      {
        file: 'a.npz',
      },
    );
    expectInputError(() => parseNpzDataset(npz([y([1])]), 'a.npz'), /no array named "x" or "X"/);
  });

  it('rejects non-finite features, bad labels and mismatched lengths, naming the sample', () => {
    expectInputError(
      () => parseNpzDataset(npz([x([1, Number.NaN]), y([0, 1])]), 'a.npz'),
      /feature 0 is NaN/,
      {
        row: 2,
        field: 'x',
      },
    );
    expectInputError(
      () => parseNpzDataset(npz([x([1, Infinity]), y([0, 1])]), 'a.npz'),
      /Infinity, not a finite/,
    );
    expectInputError(
      () => parseNpzDataset(npz([x([1, 2]), y([0, -1])]), 'a.npz'),
      /label -1 is not a non-negative integer/,
      {
        row: 2,
        field: 'y',
      },
    );
    expectInputError(() => parseNpzDataset(npz([x([1, 2]), y([0.5, 1])]), 'a.npz'), /label 0.5/, { row: 1 });
    expectInputError(() => parseNpzDataset(npz([x([1, 2]), y([0])]), 'a.npz'), /1 labels for 2 samples/, {
      field: 'y',
    });
    expectInputError(
      () => parseNpzDataset(npz([x([1]), ['y', { shape: [1, 2], data: Int8Array.of(0, 1) }]]), 'a.npz'),
      /one-dimensional/,
    );
    expectInputError(
      () => parseNpzDataset(npz([['x', { shape: [], data: Float32Array.of(1) }], y([0])]), 'a.npz'),
      /scalar/,
    );
    expectInputError(
      () => parseNpzDataset(npz([['x', { shape: [1], data: ['a'] }], y([0])]), 'a.npz'),
      /features must be numbers/,
    );
  });

  it('checks class and feature names against the data', () => {
    const names = (n: string[]): [string, NpyInput] => ['class_names', { shape: [n.length], data: n }];
    expectInputError(
      () => parseNpzDataset(npz([x([1, 2]), y([0, 2]), names(['a', 'b'])]), 'a.npz'),
      /label 2 has no class name/,
      {
        row: 2,
      },
    );
    const features: [string, NpyInput] = ['feature_names', { shape: [2], data: ['u', 'v'] }];
    expectInputError(
      () => parseNpzDataset(npz([x([1]), y([0]), features]), 'a.npz'),
      /2 feature names for 1 features/,
    );
    const numeric: [string, NpyInput] = ['class_names', { shape: [1], data: Int8Array.of(1) }];
    expectInputError(
      () => parseNpzDataset(npz([x([1]), y([0]), numeric]), 'a.npz'),
      /must be an array of strings/,
    );
  });

  it('rejects safetensors datasets with bad metadata', () => {
    const bytes = encodeSafetensors(
      new Map([
        ['x', { shape: [1, 1], data: Float32Array.of(1) }],
        ['y', { shape: [1], data: Int32Array.of(0) }],
      ]),
      { class_names: '{"a": 1}' },
    );
    expectInputError(
      () => parseSafetensorsDataset(bytes, 'd.safetensors'),
      /"class_names" must be a JSON array of strings/,
      {
        file: 'd.safetensors',
        field: 'class_names',
      },
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/rng.js';
import { InputError, type InputLocation } from '../../src/errors.js';

/** Runs `fn`, expects an InputError whose message matches and whose location has the given fields. */
export function expectInputError(
  fn: () => unknown,
  pattern: RegExp,
  location: InputLocation = {},
): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an InputError matching ${pattern}`).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.message).toMatch(pattern);
  expect(error.location).toMatchObject(location);
  if (location.file !== undefined) expect(error.message.startsWith(location.file)).toBe(true);
  return error;
}

/** A fresh temporary directory, removed when the test file finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'antidote-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TabularSpec {
  rows: number;
  numeric: number;
  categorical: number;
  /** Class names, or undefined for integer labels. */
  classNames?: string[];
  /** 0-based position of the label among the source columns. */
  labelIndex: number;
}

/**
 * A seeded dataset shaped like a parsed CSV: numeric features (float32 values, some integers), one-hot
 * categorical columns with sorted categories, labels as class names or integers, every class and category used.
 */
export function tabularDataset(seed: number, spec: TabularSpec): Dataset {
  const rng = new Rng(seed);
  const columns: { name: string; categories?: string[] }[] = [];
  for (let k = 0; k < spec.numeric; k++) columns.push({ name: `num_${k}` });
  for (let k = 0; k < spec.categorical; k++) {
    const count = 2 + rng.int(3);
    const categories = Array.from(
      { length: count },
      (_, q) => `c${k}_${String.fromCharCode(97 + q)}${q === 1 ? ' x' : ''}`,
    );
    columns.splice(rng.int(columns.length + 1), 0, { name: `cat ${k}`, categories: categories.sort() });
  }
  const featureNames: string[] = [];
  const encodings: NonNullable<Dataset['encodings']> = [];
  for (const column of columns) {
    if (column.categories === undefined) featureNames.push(column.name);
    else {
      encodings.push({
        column: column.name,
        categories: column.categories,
        firstFeature: featureNames.length,
      });
      for (const c of column.categories) featureNames.push(`${column.name}=${c}`);
    }
  }
  const numClasses = spec.classNames?.length ?? 3 + rng.int(4);
  const d = featureNames.length;
  const x = new Float32Array(spec.rows * d);
  const y = new Int32Array(spec.rows);
  for (let i = 0; i < spec.rows; i++) {
    y[i] = i < numClasses ? i : rng.int(numClasses);
    let j = i * d;
    columns.forEach((column, k) => {
      if (column.categories === undefined) {
        x[j++] = k % 2 === 0 ? rng.int(200) - 100 : Math.fround(rng.normal() * 10 ** (rng.int(7) - 3));
      } else {
        const hot = i < column.categories.length ? i : rng.int(column.categories.length);
        for (let q = 0; q < column.categories.length; q++) x[j++] = q === hot ? 1 : 0;
      }
    });
  }
  const dataset: Dataset = {
    x: { shape: [spec.rows, d], data: x },
    y,
    numClasses,
    classNames: spec.classNames ?? Array.from({ length: numClasses }, (_, c) => String(c)),
    featureNames,
    labelColumn: { name: 'target', index: Math.min(spec.labelIndex, columns.length) },
  };
  if (encodings.length > 0) dataset.encodings = encodings;
  return dataset;
}

/** The fields a tabular round trip must preserve. */
export function tabularFields(d: Dataset): Partial<Dataset> {
  return {
    x: d.x,
    y: d.y,
    numClasses: d.numClasses,
    classNames: d.classNames,
    featureNames: d.featureNames,
    encodings: d.encodings,
    labelColumn: d.labelColumn,
  };
}

/** Element-wise equality of two large typed arrays (vitest's deep equality is slow on millions of values). */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let i = 0;
  while (i < actual.length && Object.is(actual[i], expected[i])) i++;
  expect(i < actual.length ? `index ${i}: ${actual[i]} ≠ ${expected[i]}` : 'equal').toBe('equal');
}

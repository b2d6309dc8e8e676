import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../../src/data/bundled.js';
import { inspectDataset, inspectFile } from '../../src/data/inspect.js';
import { loadDataset } from '../../src/data/load.js';
import { expectInputError, tempDir } from './helpers.js';

const dir = tempDir();

describe('inspectDataset', () => {
  it('summarises a CSV with missing values that loading refuses', () => {
    const path = join(dir, 'holes.csv');
    writeFileSync(path, 'a,colour,label\n1,red,x\nNA,blue,y\n3,,x\n5,red,\n');
    expectInputError(() => loadDataset(path), /missing value/);
    const report = inspectFile(path);
    expect(report.samples).toBe(3);
    expect(report.sampleShape).toEqual([3]);
    expect(report.classes).toEqual([
      { label: 0, name: 'x', count: 2 },
      { label: 1, name: 'y', count: 1 },
    ]);
    expect(report.features).toEqual([
      { name: 'a', min: 1, max: 3, mean: 2, missing: 1 },
      { name: 'colour=blue', min: 0, max: 1, mean: 0.5, missing: 1 },
      { name: 'colour=red', min: 0, max: 1, mean: 0.5, missing: 1 },
    ]);
    expect(report.missing).toEqual({ cells: 3, samples: 2 });
    expect(report.droppedLines).toEqual([5]);
    expect(report.source).toMatchObject({ uri: path, format: 'csv' });
  });

  it('reports an all-missing feature as null statistics', () => {
    const report = inspectDataset({
      x: { shape: [2, 1], data: Float32Array.of(Number.NaN, Number.NaN) },
      y: Int32Array.of(0, 0),
      numClasses: 1,
    });
    expect(report.features).toEqual([{ name: 'f0', min: null, max: null, mean: null, missing: 2 }]);
  });

  it('matches known digits statistics', () => {
    const report = inspectDataset(loadDigits());
    expect(report.samples).toBe(1797);
    expect(report.classes.map((c) => c.count)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(report.features[0]).toEqual({ name: 'pixel_0_0', min: 0, max: 0, mean: 0, missing: 0 });
    // numpy: np.loadtxt(gzip.open('data/digits.csv.gz'), delimiter=',')[:, 2].mean()
    expect(report.features[2].mean).toBeCloseTo(5.204785754034502, 10);
    expect(report.missing).toEqual({ cells: 0, samples: 0 });
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { runCli } from './run-cli.js';

/** Three well-separated Gaussian blobs with named classes and one categorical column. */
function blobsCsv(seed: number, n: number): string {
  const rng = new Rng(seed);
  const names = ['ant', 'bee', 'cat'];
  const rows = ['x1,x2,colour,label'];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const x1 = (c * 4 + rng.normal()).toFixed(4);
    const x2 = (c * -3 + rng.normal()).toFixed(4);
    rows.push(`${x1},${x2},${rng.float() < 0.5 ? 'red' : 'blue'},${names[c]}`);
  }
  return `${rows.join('\n')}\n`;
}

function expectOneLineError(run: { code: number; stderr: string; stdout: string }, ...parts: string[]): void {
  expect(run.code).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^antidote: /);
  for (const p of parts) expect(run.stderr).toContain(p);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('antidote CLI: foundation commands', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'antidote-cli-'));
    writeFileSync(join(dir, 'blobs.csv'), blobsCsv(1, 300));
  });

  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['data', 'train', 'evaluate']) expect(help.stdout).toContain(command);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('rejects an unknown command and a bad option value with exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const bad = await runCli(['train', join(dir, 'blobs.csv'), '--out', join(dir, 'm'), '--epochs', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--epochs');
  });

  it('inspects a CSV: classes, counts, encoded categorical column', async () => {
    const run = await runCli(['data', 'inspect', join(dir, 'blobs.csv'), '--format', 'json']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.samples).toBe(300);
    expect(r.classes.map((c: { name: string; count: number }) => [c.name, c.count])).toEqual([
      ['ant', 100],
      ['bee', 100],
      ['cat', 100],
    ]);
    expect(r.features.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(['x1', 'x2', 'colour=red', 'colour=blue']),
    );
  });

  it('splits, trains and evaluates; the held-out accuracy is high on separable data', async () => {
    const [train, test, model] = ['train.csv', 'test.csv', 'model'].map((f) => join(dir, f));
    expect(
      (await runCli(['data', 'split', join(dir, 'blobs.csv'), '--train', train, '--test', test])).code,
    ).toBe(0);
    const trained = await runCli([
      'train',
      train,
      '--model',
      'softmax',
      '--out',
      model,
      '--epochs',
      '40',
      '--format',
      'json',
    ]);
    expect(trained.code).toBe(0);
    expect(JSON.parse(trained.stdout).history).toHaveLength(40);
    const evaluated = await runCli(['evaluate', model, test, '--format', 'json']);
    expect(evaluated.code).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    expect(e.accuracy).toBeGreaterThan(0.95);
    expect(e.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);
    expect(e.classes.map((c: { name: string }) => c.name)).toEqual(['ant', 'bee', 'cat']);
  });

  it('standardises per feature by default, with one scale for all under --standardize global', async () => {
    const stds: Record<string, number[]> = {};
    for (const scope of ['features', 'global']) {
      const model = join(dir, `model-${scope}`);
      const args = ['train', join(dir, 'blobs.csv'), '--model', 'softmax', '--out', model, '--epochs', '2'];
      expect((await runCli([...args, '--standardize', scope])).code).toBe(0);
      stds[scope] = JSON.parse(readFileSync(join(model, 'architecture.json'), 'utf8')).standardization.std;
    }
    expect(new Set(stds.features).size).toBeGreaterThan(1);
    expect(new Set(stds.global).size).toBe(1);
    const bad = await runCli([
      'train',
      join(dir, 'blobs.csv'),
      '--out',
      join(dir, 'x'),
      '--standardize',
      'pixels',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pixels');
  });

  it('maps class names when the evaluation data lacks a class', async () => {
    const model = join(dir, 'model-names');
    expect(
      (
        await runCli([
          'train',
          join(dir, 'blobs.csv'),
          '--model',
          'softmax',
          '--out',
          model,
          '--epochs',
          '30',
        ])
      ).code,
    ).toBe(0);
    const onlyCats = blobsCsv(2, 30)
      .split('\n')
      .filter((l, i) => i === 0 || l.endsWith(',cat'))
      .join('\n');
    writeFileSync(join(dir, 'cats.csv'), onlyCats);
    const e = JSON.parse(
      (await runCli(['evaluate', model, join(dir, 'cats.csv'), '--format', 'json'])).stdout,
    );
    expect(e.classes[2].support).toBe(10);
    expect(e.accuracy).toBeGreaterThan(0.9);
  });

  it('names the file and the problem for bad input, without a stack trace', async () => {
    expectOneLineError(await runCli(['data', 'inspect', join(dir, 'missing.csv')]), 'missing.csv');
    writeFileSync(join(dir, 'ragged.csv'), 'a,b,label\n1,2,x\n3,y\n');
    expectOneLineError(await runCli(['data', 'inspect', join(dir, 'ragged.csv')]), 'ragged.csv', 'line 3');
    writeFileSync(join(dir, 'empty.csv'), '');
    expectOneLineError(await runCli(['train', join(dir, 'empty.csv'), '--out', join(dir, 'x')]), 'empty.csv');
    const nolabel = await runCli(['data', 'inspect', join(dir, 'blobs.csv'), '--label', 'species']);
    expectOneLineError(nolabel, 'species');
    expectOneLineError(await runCli(['evaluate', join(dir, 'no-model'), join(dir, 'blobs.csv')]), 'no-model');
  });

  it('refuses data whose feature count does not match the model', async () => {
    const model = join(dir, 'model-shape');
    expect(
      (await runCli(['train', join(dir, 'blobs.csv'), '--model', 'softmax', '--out', model, '--epochs', '2']))
        .code,
    ).toBe(0);
    writeFileSync(join(dir, 'narrow.csv'), 'x1,label\n1,ant\n2,bee\n');
    expectOneLineError(
      await runCli(['evaluate', model, join(dir, 'narrow.csv')]),
      'narrow.csv',
      '"x2"',
      'missing',
    );
    writeFileSync(join(dir, 'extra.csv'), 'x1,x2,colour,size,label\n1,2,red,3,ant\n');
    expectOneLineError(await runCli(['evaluate', model, join(dir, 'extra.csv')]), 'extra.csv', '"size"');
  });
});

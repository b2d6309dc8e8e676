import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPath } from '../../src/data/bundled.js';
import { loadDataset } from '../../src/data/load.js';
import { runCli } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'antidote-scan-'));
const demo = bundledPath('demo/digits-poisoned.csv');

/** A small tabular file with a source column: one annotator's rows carry copies with wrong labels. */
function tabular(): string {
  const rows = ['a,b,annotator,label'];
  for (let i = 0; i < 300; i++) rows.push(`${i % 17},${(i * 7) % 23},ann-${i % 5},${i % 2}`);
  for (let i = 0; i < 20; i++) rows.push(`${i % 17},${(i * 7) % 23},ann-9,${1 - (i % 2)}`);
  const file = join(dir, 'tabular.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

describe('antidote scan', () => {
  it('writes the HTML report of the demo set (the README main command) and exits 0 without --fail-on', async () => {
    const output = join(dir, 'report.html');
    const run = await runCli(['scan', demo, '--format', 'html', '--output', output]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('verdict fail');
    const html = readFileSync(output, 'utf8');
    expect(html).toContain('backdoor/');
    expect(html).toContain('data:image/png;base64,');
  });

  it('exits 1 when a finding reaches --fail-on, writes --fix and says how many it removed', async () => {
    const cleaned = join(dir, 'clean.csv');
    const run = await runCli([
      'scan',
      demo,
      '--format',
      'sarif',
      '--fail-on',
      'high',
      '--fix',
      cleaned,
      '--detectors',
      'validation,label-issues,backdoor',
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).version).toBe('2.1.0');
    const match = /(\d+) of 1797 samples kept, (\d+) removed/.exec(run.stderr);
    expect(match).not.toBeNull();
    const kept = loadDataset(cleaned);
    expect(kept.y.length).toBe(Number(match![1]));
    expect(Number(match![1]) + Number(match![2])).toBe(1797);
    expect(kept.featureNames).toEqual(loadDataset(demo).featureNames);
  });

  it('aggregates by --source without using the column as a feature, and --fix keeps the column', async () => {
    const file = tabular();
    const cleaned = join(dir, 'tabular-clean.csv');
    const run = await runCli([
      'scan',
      file,
      '--source',
      'annotator',
      '--detectors',
      'validation',
      '--format',
      'json',
      '--fix',
      cleaned,
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.metrics.features).toBe(2);
    const sources = report.findings.filter((f: { ruleId: string }) => f.ruleId === 'source/high-flag-rate');
    expect(sources.map((f: { target: { id: string } }) => f.target.id)).toEqual(['ann-9']);
    expect(readFileSync(cleaned, 'utf8').split('\n')[0]).toBe('a,b,annotator,label');
  });

  it('turns bad input into one line and exit code 2', async () => {
    const file = tabular();
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'a,c,annotator,label\n1,2,x,0\n');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing.csv')], /no such file/],
      [[file, '--label', 'nope'], /no label column "nope"/],
      [
        [file, '--reference', other, '--detectors', 'validation'],
        /only in the data: b; only in the reference: c/,
      ],
      [[file, '--source', 'nobody'], /no source column "nobody"/],
      [[file, '--fail-on', 'severe'], /expected one of info, low, medium, high, critical/],
      [[file, '--detectors', 'magic'], /unknown detector/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['scan', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(run.stderr.includes('--help') ? 2 : 1);
    }
  });
});

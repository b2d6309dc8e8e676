import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../src/data/npy.js';
import { type CliRun, runCli } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'antidote-fl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

/** `antidote fl …` through the real CLI entry point. */
function fl(...args: string[]): Promise<CliRun> {
  return runCli(['fl', ...args]);
}

function writeUpdates(name: string, rows: number[][], kind?: 'f8'): string {
  const data = kind === 'f8' ? Float64Array.from(rows.flat()) : Float32Array.from(rows.flat());
  writeFileSync(path(name), encodeNpy({ shape: [rows.length, rows[0].length], data }));
  return path(name);
}

describe('antidote fl', () => {
  it('simulate prints a JSON result; same seed, same output', async () => {
    const args = [
      'simulate',
      '--clients',
      '10',
      '--rounds',
      '2',
      '--attack',
      'sign-flip',
      '--rule',
      'median',
    ];
    const first = await fl(...args, '--seed', '4', '--format', 'json');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.config).toMatchObject({ clients: 10, malicious: 2, rule: 'median', seed: 4 });
    expect(result.rounds).toHaveLength(2);
    expect((await fl(...args, '--seed', '4', '--format', 'json')).stdout).toBe(first.stdout);
    const text = await fl(...args);
    expect(text.stdout).toMatch(/sign-flip against median: 10 clients \(2 malicious\)/);
  });

  it('matrix mode writes PREFIX.json and PREFIX.md', async () => {
    const prefix = path('matrix');
    const run = await fl(
      'simulate',
      '--clients',
      '10',
      '--rounds',
      '2',
      '--attacks',
      'sign-flip,backdoor',
      '--rules',
      'fedavg,median',
      '--out',
      prefix,
    );
    expect(run.code).toBe(0);
    const matrix = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
    expect(matrix.cells).toHaveLength(4);
    expect(matrix.cells.find((c: { attack: string }) => c.attack === 'backdoor').asr).toBeGreaterThanOrEqual(
      0,
    );
    const markdown = readFileSync(`${prefix}.md`, 'utf8');
    expect(markdown).toMatch(/\| attack \| fedavg \| median \|/);
    expect(run.stdout).toBe(markdown);
  });

  it('aggregate writes the aggregated update and names the outlier', async () => {
    const updates = writeUpdates('u.npy', [
      [1, 1],
      [1.1, 0.9],
      [0.9, 1.1],
      [1, 1.05],
      [100, -100],
    ]);
    const run = await fl(
      'aggregate',
      '--rule',
      'krum',
      '--byzantine',
      '1',
      updates,
      '--out',
      path('agg.npy'),
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.accepted).toHaveLength(1);
    expect(summary.accepted).not.toContain('client4');
    expect(summary.scores.client4).toBeGreaterThan(summary.scores.client0);
    const agg = parseNpy(readFileSync(path('agg.npy')));
    expect(agg.shape).toEqual([2]);
    expect(Math.abs(agg.data[0] as number) - 1).toBeLessThan(0.2);
  });

  it('bad input exits 2 with one line naming the problem', async () => {
    const nan = writeUpdates('nan.npy', [
      [1, 2],
      [Number.NaN, 1],
      [0, 0],
    ]);
    const cases: [string[], RegExp][] = [
      [['aggregate', '--rule', 'median', nan, '--out', path('o.npy')], /nan\.npy.*client "client1".*NaN/],
      [
        ['aggregate', '--rule', 'median', writeUpdates('f8.npy', [[1, 2]], 'f8'), '--out', path('o.npy')],
        /float32/,
      ],
      [
        [
          'aggregate',
          '--rule',
          'krum',
          '--byzantine',
          '2',
          writeUpdates('few.npy', [[1], [2], [3]]),
          '--out',
          path('o.npy'),
        ],
        /krum needs n ≥ 2f \+ 3/,
      ],
      [['simulate', '--rule', 'nope'], /unknown rule "nope"/],
      [['simulate', '--attack', 'sign-flip,nope'], /unknown attack "nope"/],
    ];
    for (const [args, message] of cases) {
      const run = await fl(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const rank1 = path('rank1.npy');
    writeFileSync(rank1, encodeNpy({ shape: [3], data: Float32Array.of(1, 2, 3) }));
    expect((await fl('aggregate', '--rule', 'median', rank1, '--out', path('o.npy'))).stderr).toMatch(
      /n × d/,
    );
  });
});

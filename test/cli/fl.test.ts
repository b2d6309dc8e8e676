import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../src/data/npy.js';
import { Rng } from '../../src/engine/rng.js';
import { type CliRun, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'antidote-fl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

/** `antidote fl …` through the real CLI entry point. */
function fl(...args: string[]): Promise<CliRun> {
  return runCli(['fl', ...args]);
}

function writeVector(name: string, values: number[]): string {
  writeFileSync(path(name), encodeNpy({ shape: [values.length], data: Float32Array.from(values) }));
  return path(name);
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
    expect(matrix.recommended).toMatchObject({ rule: 'screened-mean', inMatrix: false });
    const markdown = readFileSync(`${prefix}.md`, 'utf8');
    expect(markdown).toMatch(/\| attack \| fedavg \| median \|/);
    expect(markdown).toMatch(/Recommended default: screened-mean \(not in this matrix\)/);
    expect(run.stdout).toBe(markdown);
  });

  it('simulate uses the recommended rule unless --rule says otherwise, and marks its matrix column', async () => {
    const single = await fl('simulate', '--clients', '10', '--rounds', '1', '--format', 'json');
    expect(JSON.parse(single.stdout).config).toMatchObject({
      rule: 'screened-mean',
      quarantine: true,
      inputSpace: { rank: expect.any(Number), energy: expect.closeTo(0.97, 1) },
    });
    const blind = await fl('simulate', '--clients', '10', '--rounds', '1', '--no-input-space');
    expect(blind.stdout).toMatch(/clean input space: none/);
    const plain = await fl(
      'simulate',
      '--clients',
      '10',
      '--rounds',
      '1',
      '--no-quarantine',
      '--format',
      'json',
    );
    expect(JSON.parse(plain.stdout).config.quarantine).toBe(false);
    const matrix = await fl(
      'simulate',
      '--clients',
      '10',
      '--rounds',
      '2',
      '--attacks',
      'scaling',
      '--rules',
      'fedavg,screened-mean',
    );
    expect(matrix.stdout).toMatch(/\| attack \| fedavg \| screened-mean \(default\) \|/);
    expect(matrix.stdout).toMatch(/Recommended default: screened-mean, (meets|misses) the goal/);
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

  it('aggregate --rule fltrust takes the server update as d or 1 × d float32 values', async () => {
    // Trust ReLU(cos): client0 is aligned with the server update (1), client1 orthogonal (0), client2 opposite
    // (0); the result is client0 rescaled to the server update's norm 2.
    const updates = writeUpdates('trust.npy', [
      [3, 0],
      [0, 1],
      [-1, 0],
    ]);
    const flat = path('server.npy');
    writeFileSync(flat, encodeNpy({ shape: [2], data: Float32Array.of(2, 0) }));
    const row = path('server-row.npy');
    writeFileSync(row, encodeNpy({ shape: [1, 2], data: Float32Array.of(2, 0) }));
    for (const server of [flat, row]) {
      const out = path('trusted.npy');
      const run = await fl(
        'aggregate',
        '--rule',
        'fltrust',
        '--server-update',
        server,
        updates,
        '--out',
        out,
        '--format',
        'json',
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).accepted).toEqual(['client0']);
      expect(Array.from(parseNpy(readFileSync(out)).data as Float32Array)).toEqual([2, 0]);
    }
  });

  it('aggregate --momentum lets screened-mean leave out a client undoing past progress', async () => {
    // Twelve clients move along e₀ with noise off e₁; client12 also pulls back along e₁, where training went.
    const rng = new Rng(5);
    const rows = Array.from({ length: 12 }, () =>
      Array.from({ length: 8 }, (_, j) => (j === 0 ? 3 : 0) + (j === 1 ? 0 : 0.3 * rng.normal())),
    );
    const updates = writeUpdates('history.npy', [...rows, [3, -0.3, 0, 0, 0, 0, 0, 0]]);
    const momentum = path('momentum.npy');
    writeFileSync(momentum, encodeNpy({ shape: [8], data: Float32Array.of(0, 1, 0, 0, 0, 0, 0, 0) }));
    const args = [
      'aggregate',
      '--rule',
      'screened-mean',
      updates,
      '--out',
      path('m.npy'),
      '--format',
      'json',
    ];
    expect(JSON.parse((await fl(...args)).stdout).accepted).toContain('client12');
    const run = await fl(...args, '--momentum', momentum);
    expect(JSON.parse(run.stdout).accepted).not.toContain('client12');
  });

  it('aggregate --root-inputs with --first-layer lets screened-mean leave out clients sharing a trigger', async () => {
    // A 25-input, 3-unit first layer (weights 3..77, bias 78..80) after a 3-value header; the clean inputs
    // never use features 5 to 24. Every client's layer moves within the clean inputs' span, plus its own
    // small off-span noise; clients 11 to 14 also share one off-span direction: a trigger's.
    const rng = new Rng(9);
    const [p, units, offset] = [25, 3, 3];
    const roots = Array.from({ length: 50 }, () => [
      ...Array.from({ length: 5 }, () => rng.normal()),
      ...Array.from({ length: p - 5 }, () => 0),
    ]);
    const trigger = Array.from({ length: (p - 5) * units }, () => rng.normal());
    const rows = Array.from({ length: 15 }, (_, c) => {
      const row = Array.from({ length: offset + p * units + units }, () => 0.3 * rng.normal());
      for (const x of roots) {
        for (let k = 0; k < units; k++) {
          const delta = 0.3 * rng.normal();
          for (let j = 0; j < p; j++) row[offset + j * units + k] += x[j] * delta;
          row[offset + p * units + k] += delta;
        }
      }
      for (let j = 5; j < p; j++) {
        for (let k = 0; k < units; k++) {
          const shared = c >= 11 ? trigger[(j - 5) * units + k] : 0;
          row[offset + j * units + k] = 0.1 * shared + 0.03 * rng.normal();
        }
      }
      return row;
    });
    const updates = writeUpdates('layer.npy', rows);
    const root = path('root.npy');
    writeFileSync(root, encodeNpy({ shape: [roots.length, p], data: Float32Array.from(roots.flat()) }));
    const args = [
      'aggregate',
      '--rule',
      'screened-mean',
      updates,
      '--out',
      path('l.npy'),
      '--format',
      'json',
    ];
    const blind = JSON.parse((await fl(...args)).stdout).accepted;
    const backdoor = ['client11', 'client12', 'client13', 'client14'];
    expect(backdoor.filter((id) => blind.includes(id)).length).toBeGreaterThan(0);
    const run = await fl(
      ...args,
      '--root-inputs',
      root,
      '--first-layer',
      `${offset},${units},${offset + p * units}`,
    );
    const accepted = JSON.parse(run.stdout).accepted;
    for (const id of backdoor) expect(accepted).not.toContain(id);
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    const bad = await fl(...args, '--root-inputs', root, '--first-layer', `${offset},${units},79`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the first layer .* ends at 82, past the 81 values of an update/);
    expect((await fl(...args, '--root-inputs', root)).stderr).toMatch(
      /--root-inputs and --first-layer go together/,
    );
    expect((await fl(...args, '--root-inputs', root, '--first-layer', '3,x')).stderr).toMatch(
      /--first-layer expects offset,units\[,bias\]/,
    );
  });

  it("aggregate --rule-option sets the rule's options, checked by its schema", async () => {
    const updates = writeUpdates('opts.npy', [
      [1, 0],
      [1, 0.1],
      [1, -0.1],
      [0.9, 0],
      [-1, 0],
    ]);
    const args = [
      'aggregate',
      '--rule',
      'screened-mean',
      updates,
      '--out',
      path('opts-out.npy'),
      '--format',
      'json',
    ];
    expect(JSON.parse((await fl(...args)).stdout).accepted).not.toContain('client4');
    const lenient = await fl(...args, '--rule-option', 'threshold=1000');
    expect(JSON.parse(lenient.stdout).accepted).toContain('client4');
    const unknown = await fl(...args, '--rule-option', 'tau=2');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/screened-mean: Unrecognized key: "tau"/);
    expect((await fl(...args, '--rule-option', 'threshold')).stderr).toMatch(
      /--rule-option expects key=value/,
    );
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
      [
        ['aggregate', '--rule', 'fltrust', writeUpdates('two.npy', [[1, 2]]), '--out', path('o.npy')],
        /fltrust needs the server update: --server-update SERVER\.npy/,
      ],
      [
        [
          'aggregate',
          '--rule',
          'median',
          '--server-update',
          writeVector('s2.npy', [1, 2]),
          writeUpdates('two.npy', [[1, 2]]),
          '--out',
          path('o.npy'),
        ],
        /--server-update is for fltrust, not median/,
      ],
      [
        [
          'aggregate',
          '--rule',
          'fltrust',
          '--server-update',
          writeVector('s3.npy', [1, 2, 3]),
          writeUpdates('two.npy', [[1, 2]]),
          '--out',
          path('o.npy'),
        ],
        /s3\.npy.*the server update has 3 values but the updates have 2/,
      ],
      [
        [
          'aggregate',
          '--rule',
          'screened-mean',
          '--momentum',
          writeUpdates('m22.npy', [
            [1, 2],
            [3, 4],
          ]),
          writeUpdates('two.npy', [[1, 2]]),
          '--out',
          path('o.npy'),
        ],
        /m22\.npy.*the momentum must be a vector \(d or 1 × d\), got shape \(2, 2\)/,
      ],
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

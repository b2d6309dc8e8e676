import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDatasetTruth } from '../../src/attacks/dataset-truth.js';
import { applyWeightTruth } from '../../src/attacks/weight-truth.js';
import { loadDataset, saveDataset } from '../../src/data/load.js';
import { subset } from '../../src/data/split.js';
import { loadModel, saveModel } from '../../src/models/persistence.js';
import { digitsSplit, fitModel } from '../attacks/digits.js';
import { fingerprint } from '../attacks/helpers.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'antidote-attack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv);

const { train } = digitsSplit(1);
const small = subset(
  train,
  Array.from({ length: 300 }, (_, i) => i),
);
const csv = join(dir, 'clean.csv');
const npz = join(dir, 'clean.npz');
saveDataset(csv, small);
saveDataset(npz, small);
const path = (name: string) => join(dir, name);
/** `antidote attack KIND INPUT OPTIONS --out <dir>/OUT`, the options written as on a command line. */
const attack = (kind: string, input: string, out: string, options: string) =>
  run('attack', kind, input, ...options.split(' '), '--out', path(out));
const readTruth = (file: string) => JSON.parse(readFileSync(`${file}.truth.json`, 'utf8'));

/** The truth file replays the clean input file into the poisoned output file, exactly. */
function expectReplays(clean: string, poisoned: string): void {
  const replayed = applyDatasetTruth(loadDataset(clean), readTruth(poisoned));
  expect(fingerprint(replayed)).toBe(fingerprint(loadDataset(poisoned)));
}

describe('antidote attack (data)', () => {
  it('label-flip writes the poisoned CSV and a truth file that replays it; same seed, same bytes', async () => {
    const first = await attack('label-flip', csv, 'flip.csv', '--rate 0.2 --seed 3');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/uniform-flip/);
    expect(readTruth(path('flip.csv')).changed).toHaveLength(60);
    expectReplays(csv, path('flip.csv'));
    const again = await attack('label-flip', csv, 'flip2.csv', '--rate 0.2 --seed 3');
    expect(again.code).toBe(0);
    expect(readFileSync(path('flip2.csv'))).toEqual(readFileSync(path('flip.csv')));
    expect(readFileSync(`${path('flip2.csv')}.truth.json`)).toEqual(
      readFileSync(`${path('flip.csv')}.truth.json`),
    );
  });

  it('label-flip pair and adversarial modes', async () => {
    const pair = await attack(
      'label-flip',
      csv,
      'pair.csv',
      '--mode pair --source 1 --target 7 --rate 1 --format json',
    );
    expect(pair.code).toBe(0);
    expect(JSON.parse(pair.stdout).relabelled).toBe(small.y.filter((y) => y === 1).length);
    expectReplays(csv, path('pair.csv'));
    const adversarial = await attack('label-flip', csv, 'adv.csv', '--mode adversarial --count 30');
    expect(adversarial.code).toBe(0);
    expect(readTruth(path('adv.csv')).attack).toBe('adversarial-flip');
  });

  it('backdoor writes NPZ with the trigger spec in the truth', async () => {
    const result = await attack(
      'backdoor',
      npz,
      'bd.npz',
      '--rate 0.1 --seed 2 --image-shape 1,8,8 --target 4',
    );
    expect(result.code).toBe(0);
    const truth = readTruth(path('bd.npz'));
    expect(truth.backdoor).toEqual({
      trigger: { kind: 'patch', imageShape: [1, 8, 8], size: [2, 2], position: [6, 6], value: 16 },
      target: 4,
      allToAll: false,
      cleanLabel: false,
    });
    expectReplays(npz, path('bd.npz'));
    for (const trigger of ['blend', 'signal']) {
      const r = await attack(
        'backdoor',
        npz,
        `${trigger}.npz`,
        `--trigger ${trigger} --image-shape 1,8,8 --count 10`,
      );
      expect(r.code).toBe(0);
      expect(readTruth(path(`${trigger}.npz`)).backdoor.trigger.kind).toBe(trigger);
    }
    const tabular = await attack(
      'backdoor',
      csv,
      'tab.csv',
      '--trigger tabular --features 0,63 --values 16,16 --all-to-all --count 10',
    );
    expect(tabular.code).toBe(0);
    expectReplays(csv, path('tab.csv'));
  });

  it('inject appends poison samples', async () => {
    for (const mode of ['noise', 'duplicates', 'availability']) {
      const r = await attack('inject', csv, `${mode}.csv`, `--mode ${mode} --count 6 --iterations 2`);
      expect(r.code).toBe(0);
      expect(loadDataset(path(`${mode}.csv`)).y.length).toBe(306);
      expectReplays(csv, path(`${mode}.csv`));
    }
  });

  it('bad options fail with one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['attack', 'label-flip', csv, '--out', path('x.csv')], /exactly one of --rate and --count/],
      [
        ['attack', 'label-flip', csv, '--rate', '0.1', '--count', '3', '--out', path('x.csv')],
        /exactly one of --rate and --count/,
      ],
      [['attack', 'label-flip', csv, '--rate', '2', '--out', path('x.csv')], /expected a number from 0 to 1/],
      [
        ['attack', 'label-flip', csv, '--rate', '0.1', '--mode', 'sideways', '--out', path('x.csv')],
        /expected one of uniform, pair, adversarial/,
      ],
      [
        ['attack', 'label-flip', csv, '--rate', '0.1', '--mode', 'pair', '--out', path('x.csv')],
        /needs --source and --target/,
      ],
      [
        [
          'attack',
          'label-flip',
          csv,
          '--rate',
          '0.1',
          '--mode',
          'pair',
          '--source',
          '1',
          '--target',
          'eleven',
          '--out',
          path('x.csv'),
        ],
        /"eleven" is not a class/,
      ],
      [
        ['attack', 'label-flip', csv, '--rate', '0.1', '--out', path('x.npz')],
        /names a npz file, but the input is csv/,
      ],
      [
        ['attack', 'backdoor', csv, '--rate', '0.1', '--out', path('x.csv')],
        /rows are flat \(64 features\): give --image-shape/,
      ],
      [
        ['attack', 'backdoor', csv, '--rate', '0.1', '--trigger', 'tabular', '--out', path('x.csv')],
        /needs --features and --values/,
      ],
      [
        ['attack', 'backdoor', csv, '--rate', '0.1', '--image-shape', '1,4,4', '--out', path('x.csv')],
        /has 16 values but rows have 64/,
      ],
      [
        ['attack', 'label-flip', path('missing.csv'), '--rate', '0.1', '--out', path('x.csv')],
        /no such file/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--help documents every option', async () => {
    const r = await run('attack', 'backdoor', '--help');
    expect(r.code).toBe(0);
    for (const option of [
      '--rate',
      '--count',
      '--seed',
      '--out',
      '--trigger',
      '--target',
      '--all-to-all',
      '--clean-label',
      '--image-shape',
      '--alpha',
      '--delta',
      '--features',
    ]) {
      expect(r.stdout).toContain(option);
    }
  });
});

describe('antidote attack weights', () => {
  const model = path('model');
  saveModel(model, fitModel('mlp', small, 1, { hidden: 32, epochs: 10 }).toSnapshot());

  it('bit flips, noise and BFA write a loadable model and a truth file that replays it', async () => {
    const runs: [string, string[]][] = [
      ['flips', ['--bit-flips', '5', '--bits', 'mantissa', '--seed', '4']],
      ['noise', ['--noise', '0.01', '--seed', '4']],
      ['bfa', ['--bfa', '--data', csv, '--max-flips', '5']],
    ];
    for (const [name, options] of runs) {
      const r = await run('attack', 'weights', model, ...options, '--out', path(name), '--format', 'json');
      expect(r.code, r.stderr).toBe(0);
      const truth = readTruth(path(name));
      const replayed = applyWeightTruth(loadModel(model), truth);
      for (const [tensor, t] of loadModel(path(name)).weights)
        expect(replayed.weights.get(tensor)!.data).toEqual(t.data);
      expect(JSON.parse(r.stdout).changedWeights).toBe(truth.changes.length);
    }
    expect(readTruth(path('flips')).changes.flatMap((c: { bits: number[] }) => c.bits)).toHaveLength(5);
  });

  it('needs exactly one attack, and data for --bfa', async () => {
    for (const [argv, message] of [
      [['--out', path('w')], /exactly one of --bit-flips N, --noise SIGMA and --bfa/],
      [['--bit-flips', '2', '--noise', '0.1', '--out', path('w')], /exactly one of/],
      [['--bfa', '--out', path('w')], /--bfa needs --data/],
      [['--bit-flips', '0', '--out', path('w')], /expected an integer from 1/],
    ] as [string[], RegExp][]) {
      const r = await run('attack', 'weights', model, ...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

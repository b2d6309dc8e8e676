/**
 * `antidote fl simulate …`: a seeded federated-learning simulation with malicious clients, or (several
 * attacks or rules) the attack × aggregator matrix. `antidote fl aggregate --rule R UPDATES.npy --out AGG.npy`:
 * one robust aggregation of an n × d float32 array of client updates (FLTrust's server update and the
 * server momentum come as d-long float32 arrays).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDigits, loadFashionMnistSubset, type TrainTest } from '../../data/bundled.js';
import { readDataFile } from '../../data/files.js';
import { encodeNpy, parseNpy } from '../../data/npy.js';
import { stratifiedSplit, subset } from '../../data/split.js';
import { type CleanInputSpace, checkLayer, cleanInputSpace } from '../../defenses/federated/input-space.js';
import {
  aggregatorByName,
  aggregatorNames,
  recommendedAggregator,
} from '../../defenses/federated/registry.js';
import type { AggregateResult, ClientUpdate } from '../../defenses/federated/types.js';
import { InputError } from '../../errors.js';
import { checkAttackName, flAttackNames } from '../../federated/client-attacks.js';
import {
  matrixAttackNames,
  matrixMarkdown,
  parseNameList,
  runFederatedMatrix,
} from '../../federated/matrix.js';
import type { PartitionKind } from '../../federated/partition.js';
import { type SimulationResult, simulateFederation } from '../../federated/simulate.js';
import type { CommandContext } from '../context.js';
import { addDatasetOptions, type DatasetCliOptions, loadDatasetFromCli } from '../dataset-options.js';
import { isInteractive } from '../io.js';
import { parseChoice, parseInteger, parseNumber, parseSeed } from '../options.js';
import { json, percent, table } from '../render.js';

interface SimulateOptions extends DatasetCliOptions {
  dataset: string;
  clients: number;
  malicious: number;
  attack?: string;
  attacks?: string;
  rule?: string;
  rules?: string;
  byzantine?: number;
  bucketSize?: number;
  rounds: number;
  partition: PartitionKind;
  alpha: number;
  model: 'softmax' | 'mlp';
  localEpochs: number;
  quarantine: boolean;
  inputSpace: boolean;
  seed: number;
  format: 'text' | 'json';
  out?: string;
}

export function registerFlCommands(program: Command, ctx: CommandContext): void {
  const fl = program
    .command('fl')
    .description('federated learning: simulate poisoned federations, aggregate updates');
  registerSimulate(fl, ctx);
  registerAggregate(fl, ctx);
}

function registerSimulate(parent: Command, ctx: CommandContext): void {
  addDatasetOptions(
    parent
      .command('simulate')
      .description('simulate federated training with malicious clients; several attacks or rules → a matrix'),
  )
    .option(
      '--dataset <name>',
      'digits, fashion-subset, or a dataset file (25% held out for testing)',
      'digits',
    )
    .option('--clients <n>', 'number of clients', parseInteger(1, 100_000), 50)
    .option('--malicious <fraction>', 'fraction of the clients that are malicious', parseNumber(0, 0.99), 0.2)
    .option('--attack <names>', `${flAttackNames.join(', ')}; a comma list or all → matrix`)
    .option('--attacks <names>', 'same as --attack')
    .option(
      '--rule <names>',
      `${aggregatorNames.join(', ')}; a comma list or all → matrix (default: ${recommendedAggregator.name}, ` +
        'the recommended rule)',
    )
    .option('--rules <names>', 'same as --rule')
    .option(
      '--byzantine <f>',
      'f for rules that need it (default: the number of malicious clients)',
      parseInteger(0),
    )
    .option('--bucket-size <s>', 'put bucketing with bucket size s in front of the rule', parseInteger(1))
    .option('--rounds <n>', 'training rounds', parseInteger(1, 100_000), 30)
    .option('--partition <kind>', 'iid or dirichlet', parseChoice(['iid', 'dirichlet'] as const), 'iid')
    .option(
      '--alpha <a>',
      'Dirichlet concentration (smaller = more skewed)',
      parseNumber(0, 1e6, { exclusiveMin: true }),
      0.5,
    )
    .option('--model <kind>', 'softmax or mlp', parseChoice(['softmax', 'mlp'] as const), 'softmax')
    .option('--local-epochs <n>', 'local epochs per round', parseInteger(1, 1000), 1)
    .option('--no-quarantine', 'keep every client in every round (reputation is still scored)')
    .option('--no-input-space', "don't hand rules the span of the root set's inputs (the trigger screen)")
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .option('--out <prefix>', 'matrix mode: write PREFIX.json and PREFIX.md')
    .action((o: SimulateOptions) => {
      const { train, test } = loadFederatedDataset(o);
      const attackList = o.attacks ?? o.attack ?? 'none';
      // The matrix always runs the no-attack baseline, so `all` means every real attack.
      const attacks =
        attackList === 'all' ? matrixAttackNames : parseNameList(attackList, flAttackNames, 'attack');
      const rules = parseNameList(o.rules ?? o.rule ?? recommendedAggregator.name, aggregatorNames, 'rule');
      const base = {
        train,
        test,
        clients: o.clients,
        malicious: o.malicious,
        byzantine: o.byzantine,
        bucketSize: o.bucketSize,
        rounds: o.rounds,
        partition: o.partition,
        alpha: o.alpha,
        model: o.model,
        localEpochs: o.localEpochs,
        quarantine: o.quarantine,
        inputSpace: o.inputSpace,
        seed: o.seed,
      };
      if (attacks.length === 1 && rules.length === 1) {
        const result = simulateFederation({ ...base, attack: checkAttackName(attacks[0]), rule: rules[0] });
        ctx.emit(o.format === 'json' ? json(result) : simulationText(result));
        return;
      }
      const progress = isInteractive(ctx.io, o.format);
      const matrix = runFederatedMatrix(base, attacks, rules, (cell) => {
        if (progress) ctx.io.stderr.write(`${cell.attack} × ${cell.rule}: ${percent(cell.accuracy)}\n`);
      });
      const markdown = matrixMarkdown(matrix);
      if (o.out !== undefined) {
        writeFileSync(`${o.out}.json`, `${json(matrix)}\n`);
        writeFileSync(`${o.out}.md`, markdown);
      }
      ctx.emit(o.format === 'json' ? json(matrix) : markdown);
    });
}

/** Bundled sets come with their own test split; a file is split 75 / 25, stratified by the seed. */
function loadFederatedDataset(o: SimulateOptions): TrainTest {
  if (o.dataset === 'fashion-subset') return loadFashionMnistSubset();
  const data = o.dataset === 'digits' ? loadDigits() : loadDatasetFromCli(o.dataset, o);
  const split = stratifiedSplit(data.y, 0.25, o.seed);
  return { train: subset(data, split.train), test: subset(data, split.test) };
}

function simulationText(r: SimulationResult): string {
  const c = r.config;
  const lines = [
    `${c.attack} against ${c.rule}: ${c.clients} clients (${c.malicious} malicious), ${c.rounds} rounds, ` +
      `${c.partition} partition, seed ${c.seed}`,
    `final accuracy ${percent(r.final.accuracy)}${r.final.asr === undefined ? '' : `, backdoor ASR ${percent(r.final.asr)}`}`,
    `quarantined: ${percent(r.detection.truePositiveRate)} of malicious, ${percent(r.detection.falsePositiveRate)} of honest clients`,
    c.inputSpace === null
      ? "clean input space: none (the rule can't screen for shared triggers)"
      : `clean input space: ${c.inputSpace.rank} directions of the root set's inputs (${percent(c.inputSpace.energy)} of their energy)`,
    '',
    table([
      ['round', 'accuracy', ...(r.final.asr === undefined ? [] : ['asr']), 'accepted', 'quarantined'],
      ...r.rounds.map((x) => [
        x.round,
        percent(x.accuracy),
        ...(x.asr === undefined ? [] : [percent(x.asr)]),
        x.accepted.length,
        x.quarantined.join(' '),
      ]),
    ]),
    '',
    table([
      ['client', 'malicious', 'samples', 'score', 'quarantined at'],
      ...r.clients.map((x) => [x.id, x.malicious ? 'yes' : '', x.samples, x.score, x.quarantinedAt ?? '']),
    ]),
  ];
  return lines.join('\n');
}

interface AggregateOptions {
  rule: string;
  byzantine?: number;
  bucketSize?: number;
  serverUpdate?: string;
  momentum?: string;
  rootInputs?: string;
  firstLayer?: string;
  ruleOption: string[];
  seed: number;
  out: string;
  format: 'text' | 'json';
}

function registerAggregate(parent: Command, ctx: CommandContext): void {
  parent
    .command('aggregate')
    .description('aggregate an n × d float32 .npy of client updates (row i = client i) with a robust rule')
    .argument('<updates>', 'client updates, n × d float32 .npy')
    .requiredOption('--rule <name>', aggregatorNames.join(', '))
    .requiredOption('--out <file>', 'the aggregated update, a d-long float32 .npy')
    .option('--byzantine <f>', 'f, the number of malicious clients the rule must tolerate', parseInteger(0))
    .option('--bucket-size <s>', 'put bucketing with bucket size s in front of the rule', parseInteger(1))
    .option(
      '--server-update <file>',
      "fltrust: the server's update from its clean root data, a d-long (or 1 × d) float32 .npy",
    )
    .option(
      '--momentum <file>',
      'the server momentum (average of past aggregates), a d-long float32 .npy, for screened-mean',
    )
    .option(
      '--root-inputs <file>',
      'screened-mean: clean inputs as the first dense layer sees them (n × p float32 .npy), to screen for triggers',
    )
    .option(
      '--first-layer <offset,units[,bias]>',
      "with --root-inputs: where the first dense layer's p × units weight (row-major) and its bias start in an update",
    )
    .option(
      '--rule-option <key=value>',
      "one of the rule's options, repeatable (e.g. threshold=2.5 for screened-mean, m=5 for multi-krum)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--seed <n>', 'random seed of randomised rules', parseSeed, 0)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .action((file: string, o: AggregateOptions) => {
      const updates = readUpdates(file);
      const d = updates[0].update.length;
      if ((o.rule === 'fltrust') !== (o.serverUpdate !== undefined)) {
        throw new InputError(
          o.rule === 'fltrust'
            ? 'fltrust needs the server update: --server-update SERVER.npy'
            : `--server-update is for fltrust, not ${o.rule}`,
          { field: 'server-update' },
        );
      }
      const serverUpdate =
        o.serverUpdate === undefined ? undefined : readVector(o.serverUpdate, d, 'the server update');
      for (const [flag, given] of [
        ['--momentum', o.momentum],
        ['--root-inputs', o.rootInputs],
      ] as const) {
        if (given !== undefined && o.rule !== 'screened-mean') {
          throw new InputError(`${flag} is read by screened-mean only, not ${o.rule}`, {
            field: flag.slice(2),
          });
        }
      }
      const momentum = o.momentum === undefined ? undefined : readVector(o.momentum, d, 'the momentum');
      const inputSpace = readInputSpace(o, d);
      let result: AggregateResult;
      try {
        const rule = aggregatorByName(o.rule, {
          f: o.byzantine,
          bucketSize: o.bucketSize,
          serverUpdate,
          ...ruleOptions(o.ruleOption),
        });
        result = rule(updates, { seed: o.seed, momentum, inputSpace });
      } catch (error) {
        throw error instanceof InputError ? error.at({ file }) : error;
      }
      writeFileSync(o.out, encodeNpy({ shape: [result.update.length], data: result.update }));
      const summary = {
        rule: result.rule,
        clients: updates.length,
        accepted: result.accepted,
        scores: result.scores,
      };
      ctx.emit(
        o.format === 'json'
          ? json(summary)
          : [
              `${result.rule}: accepted ${result.accepted.length} of ${updates.length} clients; wrote ${o.out}`,
              table([
                ['client', 'accepted', 'score'],
                ...updates.map((u) => [
                  u.id,
                  result.accepted.includes(u.id) ? 'yes' : 'no',
                  result.scores[u.id] ?? '',
                ]),
              ]),
            ].join('\n'),
      );
    });
}

/**
 * `--rule-option key=value` pairs as the rule's options: numbers and true/false become numbers and booleans;
 * the rule's schema then checks every name and value.
 */
function ruleOptions(pairs: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) {
        throw new InputError(`--rule-option expects key=value, got "${pair}"`, { field: 'rule-option' });
      }
      const raw = pair.slice(at + 1).trim();
      const number = Number(raw);
      const value =
        raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : raw !== '' && Number.isFinite(number)
              ? number
              : raw;
      return [pair.slice(0, at).trim(), value];
    }),
  );
}

/** A float32 .npy array, checked for dtype and read whole. */
function readFloat32(file: string): { shape: number[]; data: Float32Array } {
  const array = parseNpy(readDataFile(file).bytes, file);
  if (!/^[<>=|]?f4$/.test(array.descr) || !(array.data instanceof Float32Array)) {
    throw new InputError(`expected float32 values, got dtype ${array.descr}`, { file, field: 'dtype' });
  }
  return { shape: array.shape, data: array.data };
}

/** `--root-inputs` with `--first-layer` as the clean input space; both or neither. */
function readInputSpace(o: AggregateOptions, d: number): CleanInputSpace | undefined {
  if ((o.rootInputs === undefined) !== (o.firstLayer === undefined)) {
    throw new InputError('--root-inputs and --first-layer go together: give both or neither', {
      field: o.rootInputs === undefined ? 'root-inputs' : 'first-layer',
    });
  }
  if (o.rootInputs === undefined || o.firstLayer === undefined) return undefined;
  const file = o.rootInputs;
  const { rows, columns, data } = readMatrix(file, 'an n × p array of clean inputs');
  const parts = o.firstLayer.split(',').map((v) => Number(v.trim()));
  if (parts.length < 2 || parts.length > 3 || !parts.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InputError(`--first-layer expects offset,units[,bias] (whole numbers), got "${o.firstLayer}"`, {
      field: 'first-layer',
    });
  }
  const [weightOffset, units, biasOffset] = parts;
  const layer = { weightOffset, inputs: columns, units, ...(biasOffset !== undefined && { biasOffset }) };
  checkLayer(layer, d);
  try {
    return cleanInputSpace(data, rows, layer);
  } catch (error) {
    throw error instanceof InputError ? error.at({ file }) : error;
  }
}

/** Row i of the array is client `client<i>`'s update. */
function readUpdates(file: string): ClientUpdate[] {
  const { rows: n, columns: d, data } = readMatrix(file, 'an n × d array (one row per client)');
  return Array.from({ length: n }, (_, i) => ({ id: `client${i}`, update: data.slice(i * d, (i + 1) * d) }));
}

/** A non-empty two-dimensional float32 array; `expected` says what it should hold. */
function readMatrix(file: string, expected: string): { rows: number; columns: number; data: Float32Array } {
  const { shape, data } = readFloat32(file);
  if (shape.length !== 2 || shape[0] === 0 || shape[1] === 0) {
    throw new InputError(`expected ${expected}, got shape (${shape.join(', ')})`, { file, field: 'shape' });
  }
  return { rows: shape[0], columns: shape[1], data };
}

/** A vector of the updates' length d, stored as d or 1 × d float32 values. */
function readVector(file: string, d: number, what: string): Float32Array {
  const { shape, data } = readFloat32(file);
  const isVector = shape.length === 1 || (shape.length === 2 && shape[0] === 1);
  if (!isVector) {
    throw new InputError(`${what} must be a vector (d or 1 × d), got shape (${shape.join(', ')})`, {
      file,
      field: 'shape',
    });
  }
  if (data.length !== d) {
    throw new InputError(`${what} has ${data.length} values but the updates have ${d}`, {
      file,
      field: 'shape',
    });
  }
  return data;
}

/**
 * `antidote fl simulate …`: a seeded federated-learning simulation with malicious clients, or (several
 * attacks or rules) the attack × aggregator matrix. `antidote fl aggregate --rule R UPDATES.npy --out AGG.npy`:
 * one robust aggregation of an n × d float32 array of client updates.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDigits, loadFashionMnistSubset, type TrainTest } from '../../data/bundled.js';
import { readDataFile } from '../../data/files.js';
import { encodeNpy, parseNpy } from '../../data/npy.js';
import { stratifiedSplit, subset } from '../../data/split.js';
import { aggregatorByName, aggregatorNames } from '../../defenses/federated/registry.js';
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
    .option('--rule <names>', `${aggregatorNames.join(', ')}; a comma list or all → matrix`)
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
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .option('--out <prefix>', 'matrix mode: write PREFIX.json and PREFIX.md')
    .action((o: SimulateOptions) => {
      const { train, test } = loadFederatedDataset(o);
      const attackList = o.attacks ?? o.attack ?? 'none';
      // The matrix always runs the no-attack baseline, so `all` means every real attack.
      const attacks =
        attackList === 'all' ? matrixAttackNames : parseNameList(attackList, flAttackNames, 'attack');
      const rules = parseNameList(o.rules ?? o.rule ?? 'fedavg', aggregatorNames, 'rule');
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
    .option('--seed <n>', 'random seed of randomised rules', parseSeed, 0)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .action((file: string, o: AggregateOptions) => {
      const updates = readUpdates(file);
      let result: AggregateResult;
      try {
        result = aggregatorByName(o.rule, { f: o.byzantine, bucketSize: o.bucketSize })(updates, {
          seed: o.seed,
        });
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

/** Row i of the array is client `client<i>`'s update. */
function readUpdates(file: string): ClientUpdate[] {
  const array = parseNpy(readDataFile(file).bytes, file);
  if (!/^[<>=|]?f4$/.test(array.descr) || !(array.data instanceof Float32Array)) {
    throw new InputError(`expected float32 updates, got dtype ${array.descr}`, { file, field: 'dtype' });
  }
  if (array.shape.length !== 2 || array.shape[0] === 0 || array.shape[1] === 0) {
    throw new InputError(
      `expected an n × d array (one row per client), got shape (${array.shape.join(', ')})`,
      {
        file,
        field: 'shape',
      },
    );
  }
  const [n, d] = array.shape;
  const data = array.data;
  return Array.from({ length: n }, (_, i) => ({ id: `client${i}`, update: data.slice(i * d, (i + 1) * d) }));
}

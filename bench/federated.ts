/**
 * The federated attack × aggregator matrix on the bundled Fashion-MNIST subset (3,000 training images):
 * 50 clients, 20% malicious, IID and Dirichlet(0.5) partitions, softmax model, one local epoch per round.
 * Every cell is flagged when it misses the goal: accuracy within 3 points of plain FedAvg without an attack
 * and backdoor ASR ≤ 5%, both averaged over the last 3 rounds. Each matrix says whether the recommended
 * default rule meets the goal in every row, and a second table repeats its column on seeds 1 to 3.
 * The default run (10 rounds, eight rules) keeps to a few minutes; ANTIDOTE_BENCH_FL=full runs every rule
 * for 30 rounds. With ANTIDOTE_FASHION_MNIST set to a directory holding the full Fashion-MNIST (60,000
 * training images), the default rule, FedAvg and two others also run on it (about 15 minutes more).
 * Run alone with `npx tsx bench/federated.ts`.
 */
import { loadFashionMnist, loadFashionMnistSubset, type TrainTest } from '../src/data/bundled.js';
import { aggregatorNames, recommendedAggregator } from '../src/defenses/federated/registry.js';
import {
  cellText,
  type FederatedMatrix,
  judgeCell,
  type MatrixCell,
  type PartitionKind,
  recommendedSummary,
  runFederatedMatrix,
  simulateFederation,
} from '../src/federated/index.js';
import { printTable } from './table.js';

const ATTACKS = ['sign-flip', 'scaling', 'gaussian', 'alie', 'ipm', 'min-max', 'label-flip', 'backdoor'];
const DEFAULT_RULE = recommendedAggregator.name;
const QUICK_RULES = [
  DEFAULT_RULE,
  'fedavg',
  'median',
  'trimmed-mean',
  'krum',
  'multi-krum',
  'geometric-median',
  'centered-clipping',
];
const FULL_SET_RULES = [DEFAULT_RULE, 'fedavg', 'median', 'centered-clipping'];
const SEEDS = [1, 2, 3];
const PARTITIONS: PartitionKind[] = ['iid', 'dirichlet'];

export async function run(): Promise<void> {
  const full = process.env.ANTIDOTE_BENCH_FL === 'full';
  const rounds = full ? 30 : 10;
  const subset = loadFashionMnistSubset();
  for (const partition of PARTITIONS) {
    const options = { data: subset, partition, rounds };
    const first = matrixTable(
      'Fashion-MNIST subset',
      options,
      full ? [DEFAULT_RULE, ...aggregatorNames.filter((name) => name !== DEFAULT_RULE)] : QUICK_RULES,
      SEEDS[0],
    );
    const others = SEEDS.slice(1).map((seed) => runMatrix(options, [DEFAULT_RULE], seed));
    seedTable('Fashion-MNIST subset', options, [first, ...others]);
    inputSpaceAblation('Fashion-MNIST subset', options, [first, ...others]);
  }
  const fullSetDir = process.env.ANTIDOTE_FASHION_MNIST;
  if (fullSetDir === undefined || fullSetDir === '') return;
  const fullSet = loadFashionMnist(fullSetDir);
  for (const partition of PARTITIONS) {
    matrixTable(
      'Fashion-MNIST (60,000 images)',
      { data: fullSet, partition, rounds },
      FULL_SET_RULES,
      SEEDS[0],
    );
  }
}

interface MatrixRun {
  data: TrainTest;
  partition: PartitionKind;
  rounds: number;
}

function simulationBase(o: MatrixRun, seed: number) {
  return {
    ...o.data,
    clients: 50,
    malicious: 0.2,
    rounds: o.rounds,
    partition: o.partition,
    alpha: 0.5,
    seed,
  };
}

function runMatrix(o: MatrixRun, rules: readonly string[], seed: number): FederatedMatrix {
  return runFederatedMatrix(simulationBase(o, seed), ATTACKS, rules);
}

function describe(name: string, o: MatrixRun): string {
  return `${name}, ${o.partition}${o.partition === 'dirichlet' ? ' α = 0.5' : ''}, ${o.rounds} rounds`;
}

/** The matrix of one seed: attacks down, rules across. */
function matrixTable(name: string, o: MatrixRun, rules: readonly string[], seed: number): FederatedMatrix {
  const started = performance.now();
  const matrix = runMatrix(o, rules, seed);
  const seconds = (performance.now() - started) / 1000;
  printTable(
    `${describe(name, o)}, seed ${seed}: accuracy / ASR (baseline ${pct(matrix.baseline)}, ✗ = misses the ` +
      `goal; ${matrix.cells.length + 1} simulations in ${seconds.toFixed(0)} s)`,
    ATTACKS.map((attack) => ({
      attack,
      ...Object.fromEntries(
        rules.map((rule) => {
          const cell = matrix.cells.find((c) => c.attack === attack && c.rule === rule);
          return [
            rule === DEFAULT_RULE ? `${rule} (default)` : rule,
            cell === undefined ? '' : cellText(cell),
          ];
        }),
      ),
    })),
  );
  const missed = matrix.cells.filter((c) => !c.ok).length;
  console.log(
    `\n${missed} of ${matrix.cells.length} cells miss the goal. ${recommendedSummary(matrix.recommended)}`,
  );
  return matrix;
}

/** The recommended rule's column on every seed, with each seed's baseline. */
function seedTable(name: string, o: MatrixRun, matrices: readonly FederatedMatrix[]): void {
  const column = (matrix: FederatedMatrix, attack: string) => {
    const cell = matrix.cells.find((c) => c.attack === attack && c.rule === DEFAULT_RULE);
    return cell === undefined ? '' : cellText(cell);
  };
  const bySeed = (row: (matrix: FederatedMatrix) => string) =>
    Object.fromEntries(matrices.map((matrix) => [`seed ${matrix.config.seed}`, row(matrix)]));
  printTable(`${describe(name, o)}: ${DEFAULT_RULE} (the default) on seeds ${SEEDS.join(', ')}`, [
    { attack: 'baseline (FedAvg, no attack)', ...bySeed((matrix) => pct(matrix.baseline)) },
    ...ATTACKS.map((attack) => ({ attack, ...bySeed((matrix) => column(matrix, attack)) })),
  ]);
  const meets = matrices.filter((matrix) => matrix.recommended.meetsGoal).length;
  console.log(`\n${DEFAULT_RULE} meets the goal in every row on ${meets} of ${matrices.length} seeds.`);
  printTable(`${describe(name, o)}: clients ${DEFAULT_RULE} quarantined, malicious / honest`, [
    ...ATTACKS.map((attack) => ({
      attack,
      ...bySeed((matrix) => {
        const cell = matrix.cells.find((c) => c.attack === attack && c.rule === DEFAULT_RULE);
        return cell === undefined ? '' : `${pct(cell.detected)} / ${pct(cell.falseQuarantine)}`;
      }),
    })),
  ]);
}

/**
 * The default rule on the backdoor row with and without the root set's input space (the off-manifold
 * screen), seed by seed: what the screen adds. The "with" cells and baselines come from the seed matrices.
 */
function inputSpaceAblation(name: string, o: MatrixRun, matrices: readonly FederatedMatrix[]): void {
  const text = (c: MatrixCell) => `${cellText(c)}, caught ${pct(c.detected)}`;
  printTable(
    `${describe(name, o)}: backdoor clients against ${DEFAULT_RULE}, with and without the clean input space`,
    matrices.map((matrix) => {
      const seed = matrix.config.seed;
      const withSpace = matrix.cells.find((c) => c.attack === 'backdoor' && c.rule === DEFAULT_RULE);
      const blind = simulateFederation({
        ...simulationBase(o, seed),
        attack: 'backdoor',
        rule: DEFAULT_RULE,
        inputSpace: false,
      });
      return {
        seed,
        'with (default)': withSpace === undefined ? '' : text(withSpace),
        without: text(judgeCell(blind, matrix.baseline)),
      };
    }),
  );
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

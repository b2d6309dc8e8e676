/**
 * The federated attack × aggregator matrix on the bundled Fashion-MNIST subset (3,000 training images):
 * 50 clients, 20% malicious, IID and Dirichlet(0.5) partitions, softmax model, one local epoch per round.
 * Every cell is flagged when it misses the goal: final accuracy within 3 points of no-attack FedAvg and
 * backdoor ASR ≤ 5%. The default run (10 rounds, seven rules) keeps to a few minutes; set
 * ANTIDOTE_BENCH_FL=full for every rule and 30 rounds. Run alone with `npx tsx bench/federated.ts`.
 */
import { loadFashionMnistSubset } from '../src/data/bundled.js';
import { aggregatorNames } from '../src/defenses/federated/registry.js';
import { cellText, type PartitionKind, runFederatedMatrix } from '../src/federated/index.js';
import { printTable } from './table.js';

const ATTACKS = ['sign-flip', 'scaling', 'gaussian', 'alie', 'ipm', 'min-max', 'label-flip', 'backdoor'];
const QUICK_RULES = [
  'fedavg',
  'median',
  'trimmed-mean',
  'krum',
  'multi-krum',
  'geometric-median',
  'centered-clipping',
];

export async function run(): Promise<void> {
  const full = process.env.ANTIDOTE_BENCH_FL === 'full';
  const rules = full ? aggregatorNames : QUICK_RULES;
  const rounds = full ? 30 : 10;
  const { train, test } = loadFashionMnistSubset();
  for (const partition of ['iid', 'dirichlet'] as PartitionKind[]) {
    const started = performance.now();
    const matrix = runFederatedMatrix(
      { train, test, clients: 50, malicious: 0.2, rounds, partition, alpha: 0.5, seed: 1 },
      ATTACKS,
      rules,
    );
    const seconds = (performance.now() - started) / 1000;
    printTable(
      `Fashion-MNIST subset, ${partition}${partition === 'dirichlet' ? ' α = 0.5' : ''}, ${rounds} rounds: ` +
        `accuracy / ASR (baseline ${(100 * matrix.baseline).toFixed(1)}%, ✗ = misses the goal; ` +
        `${matrix.cells.length + 1} simulations in ${seconds.toFixed(0)} s)`,
      ATTACKS.map((attack) => ({
        attack,
        ...Object.fromEntries(
          rules.map((rule) => {
            const cell = matrix.cells.find((c) => c.attack === attack && c.rule === rule);
            return [rule, cell === undefined ? '' : cellText(cell)];
          }),
        ),
      })),
    );
    const missed = matrix.cells.filter((c) => !c.ok).length;
    console.log(`\n${missed} of ${matrix.cells.length} cells miss the goal.`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

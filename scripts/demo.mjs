// The README's main job: split the bundled UCI digits set, train a classifier, evaluate it on the held-out
// part. Runs the built CLI (dist/) exactly as a user would; everything lands in out/demo/.
import { mkdirSync } from 'node:fs';
import { main } from '../dist/cli/main.js';

const out = 'out/demo';
mkdirSync(out, { recursive: true });
const steps = [
  ['data', 'split', 'data/digits.csv.gz', '--no-header', '--train', `${out}/train.csv`, '--test', `${out}/test.csv`, '--seed', '0'],
  ['data', 'inspect', `${out}/train.csv`],
  ['train', `${out}/train.csv`, '--model', 'mlp', '--out', `${out}/model`, '--epochs', '30', '--seed', '0'],
  ['evaluate', `${out}/model`, `${out}/test.csv`],
];
for (const args of steps) {
  console.log(`\n$ antidote ${args.join(' ')}`);
  const code = await main(args);
  if (code !== 0) process.exit(code);
}

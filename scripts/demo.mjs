// The README's main job, run through the built CLI (dist/) exactly as a user would; output lands in out/.
// 1. Scan the bundled demonstration set (UCI digits with a planted BadNets backdoor and flipped labels) and
//    write the HTML report. 2. Split the clean digits, train a classifier and evaluate it on the held-out part.
import { mkdirSync } from 'node:fs';
import { main } from '../dist/cli/main.js';

const out = 'out/demo';
mkdirSync(out, { recursive: true });
const steps = [
  ['scan', 'data/demo/digits-poisoned.csv', '--format', 'html', '--output', 'out/scan-report.html'],
  ['scan', 'data/demo/digits-poisoned.csv', '--format', 'text'],
  [
    'data',
    'split',
    'data/digits.csv.gz',
    '--no-header',
    '--train',
    `${out}/train.csv`,
    '--test',
    `${out}/test.csv`,
  ],
  ['train', `${out}/train.csv`, '--model', 'mlp', '--out', `${out}/model`, '--epochs', '30', '--seed', '0'],
  ['evaluate', `${out}/model`, `${out}/test.csv`],
];
for (const args of steps) {
  console.log(`\n$ antidote ${args.join(' ')}`);
  const code = await main(args);
  if (code !== 0) process.exit(code);
}
console.log('\nHTML scan report: out/scan-report.html');

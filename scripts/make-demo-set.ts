/**
 * Builds the demonstration set bundled in data/demo: the UCI digits with a planted BadNets backdoor (a 2 × 2
 * patch of full ink in the bottom-right corner, stamped on 10 % of the samples of classes 1–9, which are
 * relabelled 0; Gu et al. 2017) and 5 % of the remaining samples' labels flipped uniformly. Made with the
 * attack library and fixed seeds, so running it again reproduces the same bytes:
 * `npx tsx scripts/make-demo-set.ts`. Writes the CSV and a truth file listing every poisoned sample.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { plantBackdoor } from '../src/attacks/backdoor.js';
import { flipLabelsUniform } from '../src/attacks/label-flip.js';
import { patchTrigger } from '../src/attacks/triggers.js';
import { bundledPath, loadDigits } from '../src/data/bundled.js';
import { saveDataset } from '../src/data/load.js';

const BACKDOOR_SEED = 2017;
const FLIP_SEED = 2021;
const TARGET = 0;
const BACKDOOR_SHARE = 0.1;
const FLIP_RATE = 0.05;

const digits = loadDigits();
const eligible = digits.y.filter((label) => label !== TARGET).length;
const backdoor = plantBackdoor(digits, {
  trigger: patchTrigger({ imageShape: [1, 8, 8], size: 2, position: 'bottom-right', value: 16 }),
  target: TARGET,
  count: Math.round(BACKDOOR_SHARE * eligible),
  seed: BACKDOOR_SEED,
});
const flipped = flipLabelsUniform(backdoor.output, { rate: FLIP_RATE, seed: FLIP_SEED });
const backdoored = new Set(backdoor.poisoned);
// A flip that lands on a backdoored sample changes its label again; it stays a backdoor poison.
const flips = Array.from(flipped.poisoned).filter((i) => !backdoored.has(i));

const dir = bundledPath('demo/');
mkdirSync(dir, { recursive: true });
const [csv] = saveDataset(`${dir}digits-poisoned.csv`, flipped.output);
const truth = {
  format: 'antidote-demo-truth',
  version: 1,
  description:
    'UCI digits (1,797 samples) with a BadNets backdoor (2 × 2 corner patch, classes 1–9 → 0) and uniform label flips',
  data: 'digits-poisoned.csv',
  /** 0-based sample indices; the sample's CSV line is index + 2 (after the header). */
  backdoor: { target: TARGET, samples: Array.from(backdoor.poisoned) },
  labelFlips: { samples: flips },
  poisoned: [...new Set([...backdoor.poisoned, ...flips])].sort((a, b) => a - b),
  attacks: [backdoor.truth, flipped.truth],
};
writeFileSync(`${dir}digits-poisoned.truth.json`, `${JSON.stringify(truth)}\n`);
console.log(
  `${csv}: ${flipped.output.y.length} samples, ${backdoor.poisoned.length} backdoored (→ ${TARGET}), ` +
    `${flips.length} labels flipped`,
);

/**
 * Builds the Fashion-MNIST subset bundled in data/fashion-mnist-subset: 3,000 training and 1,000 test images,
 * an equal number per class, drawn with a fixed seed from the full set (Xiao, Rasul & Vollgraf 2017, MIT
 * licence © Zalando Research). Run once: `npx tsx scripts/make-fashion-subset.ts [SOURCE_DIR]`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundledPath } from '../src/data/bundled.js';
import { loadDataset, saveDataset } from '../src/data/load.js';
import { stratifiedSplit, subset } from '../src/data/split.js';

const SEED = 2017;
const SIZES = { train: 3000, test: 1000 } as const;
const PREFIX = { train: 'train', test: 't10k' } as const;

const source = process.argv[2] ?? '/work/shared/datasets/fashion-mnist';
const target = bundledPath('fashion-mnist-subset/');
mkdirSync(target, { recursive: true });

for (const split of ['train', 'test'] as const) {
  const full = loadDataset(source, { split });
  // Fashion-MNIST is balanced, so a stratified draw of this fraction takes exactly size / 10 per class.
  const { test: chosen } = stratifiedSplit(full.y, SIZES[split] / full.y.length, SEED);
  const written = saveDataset(join(target, `${PREFIX[split]}-images-idx3-ubyte.gz`), subset(full, chosen));
  console.log(`${split}: ${chosen.length} of ${full.y.length} samples → ${written.join(', ')}`);
}

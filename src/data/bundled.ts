/**
 * Datasets shipped in the package's data/ folder, found relative to this module: src/data (vitest, tsx) and
 * dist/data (after tsc) are both two levels below the package root. Licences: data/README.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { parseCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './files.js';
import { loadIdxDataset } from './idx-dataset.js';
import { idxLabelsPath } from './load.js';

const DATA_DIR = new URL('../../data/', import.meta.url);

/** Path of a file in the bundled data/ folder. */
export function bundledPath(name: string): string {
  return fileURLToPath(new URL(name, DATA_DIR));
}

const DIGITS_PIXELS = 64;

/**
 * The UCI optical handwritten digits (Alpaydin & Kaynak 1998) as shipped by scikit-learn: 1,797 samples of
 * 8 × 8 pixels with integer values 0–16, x [1797, 64] unscaled, labels 0–9. Licence CC BY 4.0.
 */
export function loadDigits(): Dataset {
  const file = bundledPath('digits.csv.gz');
  const { bytes, sha256 } = readDataFile(file);
  const digits = parseCsv(bytes, file, { header: false, label: DIGITS_PIXELS });
  return {
    ...digits,
    featureNames: Array.from({ length: DIGITS_PIXELS }, (_, j) => `pixel_${Math.floor(j / 8)}_${j % 8}`),
    labelColumn: { name: 'label', index: DIGITS_PIXELS },
    source: { uri: file, sha256, format: 'csv' },
  };
}

/** Fashion-MNIST's classes (Xiao, Rasul & Vollgraf 2017), index = label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export interface TrainTest {
  train: Dataset;
  test: Dataset;
}

/**
 * The bundled Fashion-MNIST subset: 3,000 training and 1,000 test images (300 and 100 per class, drawn
 * with a fixed seed by scripts/make-fashion-subset.ts), x [n, 1, 28, 28] scaled to [0, 1]. Licence MIT.
 */
export function loadFashionMnistSubset(): TrainTest {
  return loadFashionPair(bundledPath('fashion-mnist-subset'));
}

/** Debian's dataset-fashion-mnist package installs the set here. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The full Fashion-MNIST (60,000 training and 10,000 test images) from `dir`, else the directory in
 * $ANTIDOTE_FASHION_MNIST, else /usr/share/datasets/fashion-mnist. Files: train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].
 */
export function loadFashionMnist(dir?: string): TrainTest {
  const candidates =
    dir !== undefined ? [dir] : [process.env.ANTIDOTE_FASHION_MNIST, SYSTEM_FASHION_MNIST_DIR];
  const places = candidates.filter((place): place is string => place !== undefined && place !== '');
  const found = places.find((place) => findFile(place, 'train-images-idx3-ubyte') !== undefined);
  if (found === undefined) {
    throw new InputError(
      `Fashion-MNIST not found (looked in ${places.join(', ')}); pass its directory, set ` +
        `ANTIDOTE_FASHION_MNIST, or install Debian's dataset-fashion-mnist package`,
    );
  }
  return loadFashionPair(found);
}

function loadFashionPair(dir: string): TrainTest {
  const load = (prefix: string): Dataset => {
    const images = findFile(dir, `${prefix}-images-idx3-ubyte`);
    if (images === undefined) {
      throw new InputError(`no ${prefix}-images-idx3-ubyte[.gz] in this directory`, { file: dir });
    }
    return loadIdxDataset(images, idxLabelsPath(images), { classNames: FASHION_MNIST_CLASSES });
  };
  return { train: load('train'), test: load('t10k') };
}

/** `dir/name.gz` or `dir/name`, whichever exists. */
function findFile(dir: string, name: string): string | undefined {
  return [`${name}.gz`, name].map((file) => join(dir, file)).find((file) => existsSync(file));
}

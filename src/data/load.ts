/**
 * One entry point for every dataset format, chosen by file name:
 *
 *   .csv .csv.gz .tsv .tsv.gz     CSV (tab-separated for .tsv)
 *   .jsonl .jsonl.gz .ndjson      JSON Lines
 *   .npz                          NumPy archive with arrays x and y
 *   .safetensors                  tensors x and y
 *   …images-idx3-ubyte[.gz]       an IDX pair: the labels file is the same name with images → labels and
 *   …images.idx3-ubyte[.gz]       idx3 → idx1 (e.g. train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz)
 *   a directory                   holding one such IDX pair, or train-* and t10k-* pairs (option `split`)
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import {
  encodeNpzDataset,
  encodeSafetensorsDataset,
  loadNpzDataset,
  loadSafetensorsDataset,
} from './array-dataset.js';
import { type CsvOptions, loadCsv, writeCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { ioError, statPath } from './files.js';
import { encodeIdxDataset, loadIdxDataset } from './idx-dataset.js';
import { loadJsonl, writeJsonl } from './jsonl.js';

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'npz' | 'safetensors' | 'idx';

export interface LoadOptions extends CsvOptions {
  /** Overrides detection by file name. */
  format?: DatasetFormat;
  /** Which pair of an IDX directory with train-* and t10k-* files (default 'train'). */
  split?: 'train' | 'test';
  /** Class names for IDX labels (IDX files carry none). */
  classNames?: string[];
}

const SUPPORTED =
  '.csv, .csv.gz, .tsv, .tsv.gz, .jsonl, .jsonl.gz, .ndjson, .npz, .safetensors, ' +
  '*images-idx3-ubyte[.gz] (with its labels file), or a directory of IDX files';
const IDX_IMAGES = /images[.-]idx\d-ubyte(\.gz)?$/;

export function loadDataset(path: string, options: LoadOptions = {}): Dataset {
  const stats = statPath(path);
  if (stats === undefined) throw new InputError('no such file or directory', { file: path });
  if (stats.isDirectory()) {
    const images = findIdxImages(path, options.split ?? 'train');
    return loadIdxDataset(images, idxLabelsPath(images), options);
  }
  const format = options.format ?? detectFormat(path);
  switch (format) {
    case 'csv':
      return loadCsv(path, options);
    case 'tsv':
      return loadCsv(path, { delimiter: '\t', ...options });
    case 'jsonl':
      return loadJsonl(path, options);
    case 'npz':
      return loadNpzDataset(path);
    case 'safetensors':
      return loadSafetensorsDataset(path);
    case 'idx':
      return loadIdxDataset(path, idxLabelsPath(path), options);
  }
}

/**
 * Writes `dataset` in the format its file name calls for (or `format`); `.gz` names are gzipped. NPZ members
 * are stored, as numpy.savez stores them. IDX writes two files, the images at `path` and the labels beside
 * it. Returns the paths written.
 */
export function saveDataset(path: string, dataset: Dataset, format?: DatasetFormat): string[] {
  const chosen = format ?? detectFormat(path);
  const gz = path.endsWith('.gz');
  const write = (file: string, content: string | Uint8Array): string => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    try {
      writeFileSync(file, gz ? gzipSync(bytes, { level: 9 }) : bytes);
    } catch (error) {
      throw ioError(error, file, 'write');
    }
    return file;
  };
  switch (chosen) {
    case 'csv':
      return [write(path, writeCsv(dataset))];
    case 'tsv':
      return [write(path, writeCsv(dataset, { delimiter: '\t' }))];
    case 'jsonl':
      return [write(path, writeJsonl(dataset))];
    case 'npz':
      return [write(path, encodeNpzDataset(dataset))];
    case 'safetensors':
      return [write(path, encodeSafetensorsDataset(dataset))];
    case 'idx': {
      const { images, labels } = encodeIdxDataset(dataset);
      return [write(path, images), write(idxLabelsPath(path), labels)];
    }
  }
}

/** The format a file name calls for; an InputError listing the supported names otherwise. */
export function detectFormat(path: string): DatasetFormat {
  const name = path.toLowerCase();
  if (/\.csv(\.gz)?$/.test(name)) return 'csv';
  if (/\.tsv(\.gz)?$/.test(name)) return 'tsv';
  if (/\.(jsonl|ndjson)(\.gz)?$/.test(name)) return 'jsonl';
  if (name.endsWith('.npz')) return 'npz';
  if (name.endsWith('.safetensors')) return 'safetensors';
  if (IDX_IMAGES.test(name)) return 'idx';
  throw new InputError(`unknown dataset format; supported: ${SUPPORTED}`, { file: path });
}

/** The labels file of an IDX images file: images → labels, idx3 → idx1, plain or .gz (whichever exists). */
export function idxLabelsPath(imagesPath: string): string {
  const slash = imagesPath.lastIndexOf('/') + 1;
  const labels =
    imagesPath.slice(0, slash) + imagesPath.slice(slash).replace(/images([.-])idx\d/, 'labels$1idx1');
  if (labels === imagesPath) {
    throw new InputError('an IDX images file name must contain images-idx3 or images.idx3', {
      file: imagesPath,
    });
  }
  const alternative = labels.endsWith('.gz') ? labels.slice(0, -3) : `${labels}.gz`;
  return !existsSync(labels) && existsSync(alternative) ? alternative : labels;
}

function findIdxImages(dir: string, split: 'train' | 'test'): string {
  const images = readdirSync(dir)
    .filter((name) => IDX_IMAGES.test(name))
    .sort();
  if (images.length === 0) {
    throw new InputError(`no IDX images file (…images-idx3-ubyte[.gz]) in this directory`, { file: dir });
  }
  if (images.length === 1) return join(dir, images[0]);
  const prefixes = split === 'train' ? ['train'] : ['t10k', 'test'];
  const matching = images.filter((name) => prefixes.some((p) => name.startsWith(p)));
  if (matching.length === 0) {
    throw new InputError(`no ${split} images among ${images.join(', ')}`, { file: dir });
  }
  // Prefer the gzip file when both forms are present; they hold the same data.
  return join(dir, matching.find((name) => name.endsWith('.gz')) ?? matching[0]);
}

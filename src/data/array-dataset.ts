/**
 * Datasets stored as named arrays, in NPZ or safetensors: features `x` (or `X`), labels `y` (or `labels`),
 * optionally class and feature names (NPZ: string arrays `class_names`, `feature_names`; safetensors: JSON
 * in the metadata). Features must be finite; labels non-negative integers.
 */
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readDataFile } from './files.js';
import { encodeNpz, type NpyInput, parseNpz } from './npy.js';
import { encodeSafetensors, parseSafetensors } from './safetensors.js';
import { type NumericArray, toFloat32 } from './typed.js';

interface NamedArray {
  name: string;
  shape: number[];
  data: NumericArray | string[];
}

interface DatasetArrays {
  x: NamedArray;
  y: NamedArray;
  classNames?: string[];
  featureNames?: string[];
}

const FEATURE_NAMES = ['x', 'X'];
const LABEL_NAMES = ['y', 'labels'];

export function parseNpzDataset(bytes: Uint8Array, file = '<npz>'): Dataset {
  const arrays = parseNpz(bytes, file);
  const strings = (name: string): string[] | undefined => {
    const array = arrays.get(name);
    if (array === undefined) return undefined;
    if (!Array.isArray(array.data))
      throw new InputError(`"${name}" must be an array of strings`, { file, field: name });
    return array.data;
  };
  return datasetFromArrays(
    {
      x: pick(arrays, FEATURE_NAMES, file),
      y: pick(arrays, LABEL_NAMES, file),
      classNames: strings('class_names'),
      featureNames: strings('feature_names'),
    },
    file,
  );
}

export function encodeNpzDataset(dataset: Dataset, options: { compress?: boolean } = {}): Uint8Array {
  const arrays = new Map<string, NpyInput>([
    ['x', dataset.x],
    ['y', { shape: [dataset.y.length], data: dataset.y }],
  ]);
  if (dataset.classNames !== undefined) {
    arrays.set('class_names', { shape: [dataset.classNames.length], data: dataset.classNames });
  }
  if (dataset.featureNames !== undefined) {
    arrays.set('feature_names', { shape: [dataset.featureNames.length], data: dataset.featureNames });
  }
  return encodeNpz(arrays, options);
}

export function parseSafetensorsDataset(bytes: Uint8Array, file = '<safetensors>'): Dataset {
  const { tensors, metadata } = parseSafetensors(bytes, file);
  const named = new Map([...tensors].map(([name, t]) => [name, { ...t, name }]));
  return datasetFromArrays(
    {
      x: pick(named, FEATURE_NAMES, file),
      y: pick(named, LABEL_NAMES, file),
      classNames: jsonStrings(metadata, 'class_names', file),
      featureNames: jsonStrings(metadata, 'feature_names', file),
    },
    file,
  );
}

export function encodeSafetensorsDataset(dataset: Dataset): Uint8Array {
  const metadata: Record<string, string> = { format: 'antidote-dataset' };
  if (dataset.classNames !== undefined) metadata.class_names = JSON.stringify(dataset.classNames);
  if (dataset.featureNames !== undefined) metadata.feature_names = JSON.stringify(dataset.featureNames);
  return encodeSafetensors(
    new Map([
      ['x', { shape: dataset.x.shape, data: dataset.x.data }],
      ['y', { shape: [dataset.y.length], data: dataset.y }],
    ]),
    metadata,
  );
}

export function loadNpzDataset(path: string): Dataset {
  const { bytes, sha256 } = readDataFile(path);
  return { ...parseNpzDataset(bytes, path), source: { uri: path, sha256, format: 'npz' } };
}

export function loadSafetensorsDataset(path: string): Dataset {
  const { bytes, sha256 } = readDataFile(path);
  return { ...parseSafetensorsDataset(bytes, path), source: { uri: path, sha256, format: 'safetensors' } };
}

function pick<T extends { shape: number[]; data: NumericArray | string[] }>(
  arrays: Map<string, T>,
  names: string[],
  file: string,
): NamedArray {
  for (const name of names) {
    const array = arrays.get(name);
    if (array !== undefined) return { name, shape: array.shape, data: array.data };
  }
  throw new InputError(
    `no array named ${names.map((n) => `"${n}"`).join(' or ')} (arrays: ${[...arrays.keys()].join(', ')})`,
    { file },
  );
}

function jsonStrings(metadata: Record<string, string>, key: string, file: string): string[] | undefined {
  if (metadata[key] === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(metadata[key]);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InputError(`metadata "${key}" must be a JSON array of strings`, { file, field: key });
  }
  return value;
}

function datasetFromArrays({ x, y, classNames, featureNames }: DatasetArrays, file: string): Dataset {
  const fail = (problem: string, field: string, row?: number): InputError =>
    new InputError(problem, { file, field, ...(row === undefined ? {} : { row }) });
  if (Array.isArray(x.data)) throw fail('features must be numbers, not strings', x.name);
  if (Array.isArray(y.data)) throw fail('labels must be integers, not strings', y.name);
  if (x.shape.length === 0) throw fail('features must have a sample axis, not be a scalar', x.name);
  const isColumn = y.shape.length === 2 && y.shape[1] === 1;
  if (y.shape.length !== 1 && !isColumn)
    throw fail(`labels must be one-dimensional, got shape [${y.shape}]`, y.name);
  const n = x.shape[0];
  if (y.shape[0] !== n) throw fail(`${y.shape[0]} labels for ${n} samples in "${x.name}"`, y.name);
  const features = toFloat32(x.data);
  const d = n === 0 ? 0 : features.length / n;
  const bad = features.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw fail(
      `feature ${bad % d} is ${features[bad]}, not a finite number`,
      x.name,
      Math.floor(bad / d) + 1,
    );
  }
  const labels = new Int32Array(n);
  let numClasses = classNames?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const v = Number(y.data[i]);
    if (!Number.isInteger(v) || v < 0) throw fail(`label ${v} is not a non-negative integer`, y.name, i + 1);
    if (classNames !== undefined && v >= classNames.length) {
      throw fail(`label ${v} has no class name (${classNames.length} class names)`, y.name, i + 1);
    }
    labels[i] = v;
    numClasses = Math.max(numClasses, v + 1);
  }
  const shape = x.shape.length === 1 ? [n, 1] : x.shape;
  if (featureNames !== undefined && featureNames.length !== d) {
    throw fail(`${featureNames.length} feature names for ${d} features`, 'feature_names');
  }
  const dataset: Dataset = {
    x: { shape, data: features },
    y: labels,
    numClasses,
    classNames: classNames ?? Array.from({ length: numClasses }, (_, c) => String(c)),
  };
  if (featureNames !== undefined) dataset.featureNames = featureNames;
  return dataset;
}

import type { Dataset } from '../data/dataset.js';
import { sizeOf, type Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { Architecture } from './architecture.js';

/**
 * Brings `dataset` into the numbering a model of `architecture` was trained with: features and classes are
 * matched by name where both sides have names. A file that lacks one of the training classes or categories
 * numbers its classes and one-hot columns differently, and feeding raw indices would be silently wrong.
 */
export function alignToModel(
  dataset: Dataset,
  architecture: Architecture,
  dataFile?: string,
): { x: Tensor; y: Int32Array } {
  return {
    x: featuresForModel(dataset, architecture, dataFile),
    y: labelsForModel(dataset, architecture, dataFile),
  };
}

function featuresForModel(dataset: Dataset, architecture: Architecture, file?: string): Tensor {
  const expected = sizeOf(architecture.inputShape);
  const got = sizeOf(dataset.x.shape.slice(1));
  const modelNames = architecture.featureNames;
  const dataNames = dataset.featureNames;
  if (modelNames === undefined || dataNames === undefined || sameNames(modelNames, dataNames)) {
    if (expected !== got) {
      throw new InputError(
        `samples have ${got} features, the model expects ${expected} (input shape [${architecture.inputShape.join(', ')}])`,
        { file },
      );
    }
    return dataset.x;
  }
  // Reorder by name. A one-hot column (`column=value`) the data lacks is all zeros (that value never occurs);
  // a feature the model does not know is an error.
  const position = new Map(dataNames.map((name, j) => [name, j]));
  const modelSet = new Set(modelNames);
  const unknown = dataNames.find((name) => !modelSet.has(name));
  if (unknown !== undefined) {
    throw new InputError(`feature "${unknown}" is not one the model was trained on`, {
      file,
      field: unknown,
    });
  }
  const source = modelNames.map((name) => {
    const j = position.get(name);
    if (j === undefined && !name.includes('=')) {
      throw new InputError(`the model's feature "${name}" is missing from the data`, { file, field: name });
    }
    return j ?? -1;
  });
  const n = dataset.y.length;
  const out = new Float32Array(n * expected);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < expected; f++) {
      const j = source[f];
      if (j >= 0) out[i * expected + f] = dataset.x.data[i * got + j];
    }
  }
  return { shape: [n, ...architecture.inputShape], data: out };
}

function labelsForModel(dataset: Dataset, architecture: Architecture, file?: string): Int32Array {
  const modelNames = architecture.classNames;
  const dataNames = dataset.classNames;
  if (modelNames === undefined || dataNames === undefined || sameNames(modelNames, dataNames)) {
    if (dataset.numClasses > architecture.numClasses) {
      throw new InputError(
        `the data has ${dataset.numClasses} classes, the model only ${architecture.numClasses}`,
        {
          file,
          field: 'label',
        },
      );
    }
    return dataset.y;
  }
  const index = new Map(modelNames.map((name, i) => [name, i]));
  const mapping = dataNames.map((name) => {
    const i = index.get(name);
    if (i === undefined) {
      throw new InputError(`class "${name}" is not one of the model's classes (${modelNames.join(', ')})`, {
        file,
        field: 'label',
      });
    }
    return i;
  });
  return dataset.y.map((label) => mapping[label]);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

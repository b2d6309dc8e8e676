/**
 * Classifiers built on the engine: one `NetworkClassifier` runs every kind (softmax regression, MLP, CNN,
 * imported sequential models); the kinds differ only in the architecture they build for a dataset.
 */
import { z } from 'zod';
import type { Dataset } from '../data/dataset.js';
import { fitStandardization } from '../data/preprocess.js';
import { stratifiedSplit, subset } from '../data/split.js';
import { Graph } from '../engine/autograd.js';
import { Network } from '../engine/network.js';
import { softmax } from '../engine/ops.js';
import { Adam, type Optimizer, Sgd } from '../engine/optim.js';
import { Rng } from '../engine/rng.js';
import { sizeOf, type Tensor } from '../engine/tensor.js';
import { argmaxRow, type EpochProgress, type TrainResult, trainNetwork } from '../engine/train.js';
import { InputError } from '../errors.js';
import type { Architecture, ModelSnapshot } from './architecture.js';
import { cnnArchitecture, cnnInputShape, cnnOptionsSchema } from './cnn.js';
import { mlpArchitecture, mlpOptionsSchema } from './mlp.js';
import { parseWithSchema } from './persistence.js';
import { softmaxRegressionArchitecture } from './softmax-regression.js';

export type { EpochProgress, TrainResult } from '../engine/train.js';

export interface Classifier {
  readonly numClasses: number;
  /** Class probabilities, [n, numClasses]. */
  predictProba(x: Tensor): Tensor;
  /** The penultimate representation, [n, d]. */
  embed?(x: Tensor): Tensor;
  fit?(dataset: Dataset, options?: FitOptions): void;
}

export const fitOptionsSchema = z.strictObject({
  epochs: z.number().int().positive().default(20),
  batchSize: z.number().int().positive().default(64),
  /** Default for Adam: 0.01 for softmax regression (convex, few parameters), 0.001 otherwise; 0.05 for SGD. */
  learningRate: z.number().positive().optional(),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  /** SGD momentum. */
  momentum: z.number().min(0).lt(1).default(0.9),
  weightDecay: z.number().nonnegative().default(0),
  /** Decoupled weight decay (AdamW / SGDW) instead of L2 added to the gradient. */
  decoupledWeightDecay: z.boolean().default(false),
  /** Fraction of the data held out (stratified) to measure validation loss each epoch. */
  validationSplit: z.number().gt(0).lt(1).optional(),
  /** Early stopping: epochs without a better validation loss before stopping; restores the best weights. */
  patience: z.number().int().positive().optional(),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /**
   * Standardise the inputs with the training data's statistics (first fit only): per feature (tabular
   * data), with one mean and deviation for all features ('global': images), or not at all ('none').
   */
  standardize: z.enum(['features', 'global', 'none']).default('features'),
});

export type FitOptions = z.input<typeof fitOptionsSchema> & {
  /** Called after every epoch; the fit loop itself never prints. */
  onEpoch?: (progress: EpochProgress) => void;
  /** Aborting stops training before the next step, throwing the signal's reason. */
  signal?: AbortSignal;
};

export type ClassifierKind = 'softmax' | 'mlp' | 'cnn';

/** Builds the architecture for samples of `sampleShape` once the first dataset is seen. */
type ArchitectureDesign = (sampleShape: readonly number[], numClasses: number) => Architecture;

export class NetworkClassifier implements Classifier {
  private net: Network | undefined;
  private readonly design: ArchitectureDesign | undefined;

  /** A model to fit (from an architecture design) or an existing network (fitting continues from its weights). */
  constructor(source: ArchitectureDesign | Network) {
    if (source instanceof Network) this.net = source;
    else this.design = source;
  }

  /** The underlying network (gradients, activations, parameters). Throws before the first fit. */
  get network(): Network {
    if (this.net === undefined) throw new InputError('the model has not been fitted yet');
    return this.net;
  }

  get numClasses(): number {
    return this.network.numClasses;
  }

  /**
   * Trains on `dataset`. The first fit builds and initialises the network from `seed`; later fits continue
   * from the current weights (fine-tuning) and keep the standardisation of the first. Same data, options
   * and seed → the same weights, byte for byte.
   */
  fit(dataset: Dataset, options: FitOptions = {}): TrainResult {
    const { onEpoch, signal, ...rest } = options;
    const o = parseWithSchema(fitOptionsSchema, rest, undefined, 'fit');
    if (o.patience !== undefined && o.validationSplit === undefined) {
      throw new InputError('early stopping needs a validation split', { field: 'fit.patience' });
    }
    checkDataset(dataset);
    const rng = new Rng(o.seed);
    const { train, validation } = splitForValidation(dataset, o.validationSplit, rng.nextUint32());
    const initSeed = rng.nextUint32();
    if (this.net === undefined) {
      const architecture = this.design!(dataset.x.shape.slice(1), dataset.numClasses);
      if (dataset.classNames !== undefined) architecture.classNames = [...dataset.classNames];
      if (dataset.featureNames !== undefined) architecture.featureNames = [...dataset.featureNames];
      if (o.standardize !== 'none')
        architecture.standardization = fitStandardization(train, { scope: o.standardize });
      this.net = Network.initialize(architecture, initSeed);
    } else if (dataset.numClasses !== this.net.numClasses) {
      throw new InputError(`the data has ${dataset.numClasses} classes, the model ${this.net.numClasses}`, {
        field: 'numClasses',
      });
    }
    const network = this.net;
    return trainNetwork(network, train.x, train.y, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      optimizer: makeOptimizer(network, o),
      seed: rng.nextUint32(),
      validation,
      patience: o.patience,
      onEpoch,
      signal,
    });
  }

  predictProba(x: Tensor): Tensor {
    const logits = this.network.activations(x, this.network.logitsLayer);
    const g = new Graph();
    return { shape: logits.shape, data: softmax(g.constant(logits)).data };
  }

  /** The most probable class of each row. */
  predict(x: Tensor): Int32Array {
    const logits = this.network.activations(x, this.network.logitsLayer);
    const [n, k] = logits.shape;
    return Int32Array.from({ length: n }, (_, i) => argmaxRow(logits.data, i, k));
  }

  /** The embedding layer's output, flattened to [n, d] (see Network.embeddingLayer). */
  embed(x: Tensor): Tensor {
    const e = this.network.activations(x, this.network.embeddingLayer);
    return { shape: [e.shape[0], sizeOf(e.shape.slice(1))], data: e.data };
  }

  /** The architecture and a copy of the weights (for saving, hashing, diffing). */
  toSnapshot(): ModelSnapshot {
    return { architecture: structuredClone(this.network.architecture), weights: this.network.weights() };
  }
}

/** An untrained classifier of the given kind; its architecture is built on the first `fit`. */
export function createClassifier(
  kind: ClassifierKind,
  options: Record<string, unknown> = {},
): NetworkClassifier {
  switch (kind) {
    case 'softmax':
      parseWithSchema(z.strictObject({}), options, undefined, 'softmax');
      return new NetworkClassifier(softmaxRegressionArchitecture);
    case 'mlp': {
      const o = parseWithSchema(mlpOptionsSchema, options, undefined, 'mlp');
      return new NetworkClassifier((shape, k) => mlpArchitecture(shape, k, o));
    }
    case 'cnn': {
      const o = parseWithSchema(cnnOptionsSchema, options, undefined, 'cnn');
      return new NetworkClassifier((shape, k) => cnnArchitecture(cnnInputShape(shape, o.inputShape), k, o));
    }
    default:
      throw new InputError(`unknown classifier "${String(kind)}" (expected softmax, mlp or cnn)`, {
        field: 'kind',
      });
  }
}

/** A classifier running a saved or imported model (validated: a bad snapshot is an InputError). */
export function classifierFromSnapshot(snapshot: ModelSnapshot): NetworkClassifier {
  return new NetworkClassifier(new Network(snapshot.architecture, snapshot.weights));
}

function defaultAdamRate(network: Network): number {
  return network.architecture.kind === 'softmax' ? 0.01 : 0.001;
}

function makeOptimizer(network: Network, o: z.output<typeof fitOptionsSchema>): Optimizer {
  const decay = { weightDecay: o.weightDecay, decoupledWeightDecay: o.decoupledWeightDecay };
  return o.optimizer === 'adam'
    ? new Adam(network.parameters, { learningRate: o.learningRate ?? defaultAdamRate(network), ...decay })
    : new Sgd(network.parameters, { learningRate: o.learningRate ?? 0.05, momentum: o.momentum, ...decay });
}

function splitForValidation(
  dataset: Dataset,
  fraction: number | undefined,
  seed: number,
): { train: Dataset; validation?: { x: Tensor; y: Int32Array } } {
  if (fraction === undefined) return { train: dataset };
  const { train, test } = stratifiedSplit(dataset.y, fraction, seed);
  const held = subset(dataset, test);
  return { train: subset(dataset, train), validation: { x: held.x, y: held.y } };
}

/** Labels are integers in [0, numClasses), one per row, and every feature is finite. */
function checkDataset(dataset: Dataset): void {
  const { x, y, numClasses } = dataset;
  const file = dataset.source?.uri;
  const n = x.shape[0];
  if (x.shape.length < 2 || n === 0) throw new InputError('the dataset has no samples', { file, field: 'x' });
  if (y.length !== n) throw new InputError(`${y.length} labels for ${n} samples`, { file, field: 'label' });
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw new InputError(`a classifier needs at least 2 classes, got ${numClasses}`, {
      file,
      field: 'numClasses',
    });
  }
  for (let i = 0; i < n; i++) {
    if (!(y[i] >= 0 && y[i] < numClasses)) {
      throw new InputError(`label ${y[i]} is not a class in [0, ${numClasses})`, {
        file,
        row: i + 1,
        field: 'label',
      });
    }
  }
  const d = x.data.length / n;
  const bad = firstNonFinite(x.data);
  if (bad >= 0) {
    const column = bad % d;
    throw new InputError(`value ${x.data[bad]} is not finite`, {
      file,
      row: Math.floor(bad / d) + 1,
      field: dataset.featureNames?.[column] ?? `feature ${column}`,
    });
  }
}

function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

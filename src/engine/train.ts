/**
 * Mini-batch training of a classification network on softmax cross-entropy, with optional validation,
 * early stopping and progress reports. Every buffer of a step is reused across steps (the graph's arena and
 * one batch buffer), so a step allocates no tensor memory after the first.
 */
import { InputError } from '../errors.js';
import { Graph } from './autograd.js';
import { softmaxCrossEntropy } from './losses.js';
import type { Network } from './network.js';
import type { Optimizer } from './optim.js';
import { Rng } from './rng.js';
import { sizeOf, type Tensor } from './tensor.js';

export interface EpochProgress {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's batches (weights changing as it goes). */
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
  /** Wall-clock seconds of the epoch's training steps (validation excluded). */
  seconds: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Seeds the order of the examples in each epoch. */
  seed: number;
  validation?: { x: Tensor; y: Int32Array };
  /**
   * Stop after this many epochs without a lower validation loss, then restore the weights of the best epoch.
   * Needs `validation`.
   */
  patience?: number;
  onEpoch?: (progress: EpochProgress) => void;
  /** Checked before every step; an abort throws the signal's reason. */
  signal?: AbortSignal;
}

export interface TrainResult {
  history: EpochProgress[];
  /** 1-based epoch with the lowest validation loss (undefined without validation). */
  bestEpoch?: number;
  stoppedEarly: boolean;
}

export function trainNetwork(network: Network, x: Tensor, y: Int32Array, options: TrainOptions): TrainResult {
  const { epochs, batchSize, optimizer, validation, patience, onEpoch, signal } = options;
  const n = network.checkInput(x);
  if (y.length !== n) throw new RangeError(`train: ${y.length} labels for ${n} examples`);
  if (patience !== undefined && validation === undefined)
    throw new RangeError('train: patience needs validation data');
  const rowSize = sizeOf(network.inputShape);
  const batchX = new Float32Array(Math.min(batchSize, n) * rowSize);
  const batchY = new Int32Array(Math.min(batchSize, n));
  const graph = new Graph();
  const rng = new Rng(options.seed);
  const history: EpochProgress[] = [];
  let best = { loss: Infinity, epoch: 0, weights: undefined as Map<string, Tensor> | undefined };

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const order = rng.permutation(n);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      signal?.throwIfAborted();
      const rows = Math.min(batchSize, n - start);
      for (let r = 0; r < rows; r++) {
        network.copyStandardizedRow(x.data, order[start + r], batchX, r);
        batchY[r] = y[order[start + r]];
      }
      graph.reset();
      network.zeroGrad();
      const input = graph.constant({
        shape: [rows, ...network.inputShape],
        data: batchX.subarray(0, rows * rowSize),
      });
      const logits = network.apply(graph, input, network.logitsLayer, { standardized: true }).at(-1)!;
      const labels = batchY.subarray(0, rows);
      const { loss, probabilities } = softmaxCrossEntropy(logits, labels);
      const value = loss.data[0];
      if (!Number.isFinite(value)) {
        throw new InputError(
          `training diverged (loss ${value}) in epoch ${epoch}; try a lower learning rate`,
          {
            field: 'learningRate',
          },
        );
      }
      graph.backward(loss);
      optimizer.step();
      lossSum += value * rows;
      correct += countCorrect(probabilities, labels, network.numClasses);
    }
    const progress: EpochProgress = {
      epoch,
      epochs,
      loss: lossSum / n,
      accuracy: correct / n,
      seconds: (performance.now() - started) / 1000,
    };
    if (validation !== undefined) {
      const v = evaluate(network, validation.x, validation.y);
      progress.validationLoss = v.loss;
      progress.validationAccuracy = v.accuracy;
      if (v.loss < best.loss) {
        best = { loss: v.loss, epoch, weights: patience === undefined ? undefined : network.weights() };
      }
    }
    history.push(progress);
    onEpoch?.(progress);
    if (patience !== undefined && epoch - best.epoch >= patience) break;
  }
  graph.reset();
  if (best.weights !== undefined) network.setWeights(best.weights);
  return {
    history,
    bestEpoch: validation === undefined ? undefined : best.epoch,
    stoppedEarly: history.length < epochs,
  };
}

/** Mean cross-entropy and accuracy of the network on labelled data. */
export function evaluate(network: Network, x: Tensor, y: Int32Array): { loss: number; accuracy: number } {
  const logits = network.activations(x, network.logitsLayer);
  const graph = new Graph();
  const { loss, probabilities } = softmaxCrossEntropy(graph.constant(logits), y);
  return { loss: loss.data[0], accuracy: countCorrect(probabilities, y, network.numClasses) / y.length };
}

/** How many rows have their largest value at the label (ties go to the lowest class). */
function countCorrect(scores: Float32Array, labels: ArrayLike<number>, k: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxRow(scores, i, k) === labels[i]) correct++;
  return correct;
}

export function argmaxRow(scores: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (scores[row * k + j] > scores[row * k + best]) best = j;
  return best;
}

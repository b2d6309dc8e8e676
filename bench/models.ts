/**
 * Classifier benchmarks on Fashion-MNIST: training speed of an MLP 784-256-10 (seconds per epoch over the
 * training set at batch 128, both optimizers) and the test accuracy of the MLP and the CNN.
 * Uses the full set (60,000 / 10,000) when `loadFashionMnist()` finds it (ANTIDOTE_FASHION_MNIST or Debian's
 * dataset-fashion-mnist), else the bundled 3,000 / 1,000 subset, which the table titles then say.
 * Environment: ANTIDOTE_BENCH_MLP_EPOCHS (default 10), ANTIDOTE_BENCH_CNN_EPOCHS (default 6).
 */
import { loadFashionMnist, loadFashionMnistSubset, type TrainTest } from '../src/data/bundled.js';
import { kernelInfo } from '../src/engine/kernels/index.js';
import type { EpochProgress } from '../src/engine/train.js';
import { InputError } from '../src/errors.js';
import { type ClassifierKind, createClassifier, type FitOptions } from '../src/models/classifier.js';
import { printTable } from './table.js';

interface Measured {
  epochs: EpochProgress[];
  testAccuracy: number;
}

export async function run(): Promise<void> {
  const { data, name } = fashionMnist();
  const mlpEpochs = Number(process.env.ANTIDOTE_BENCH_MLP_EPOCHS ?? 10);
  const cnnEpochs = Number(process.env.ANTIDOTE_BENCH_CNN_EPOCHS ?? 6);
  const { backend, threads } = kernelInfo();

  const adam = train(
    data,
    'mlp',
    { hidden: [256] },
    { epochs: mlpEpochs, optimizer: 'adam', learningRate: 0.001 },
  );
  const sgd = train(data, 'mlp', { hidden: [256] }, { epochs: 2, optimizer: 'sgd', learningRate: 0.05 });
  printTable(`MLP 784-256-10 training speed, batch 128, ${name} (${backend}, ${threads} threads)`, [
    speedRow('Adam', adam, data.train.y.length),
    speedRow('SGD, momentum 0.9', sgd, data.train.y.length),
  ]);

  const cnnOptions = { filters: [16, 32], kernelSize: 3, hidden: 128 };
  const cnn = train(data, 'cnn', cnnOptions, { epochs: cnnEpochs, optimizer: 'adam', learningRate: 0.001 });
  printTable(`Test accuracy, ${name}`, [
    accuracyRow('MLP 784-256-10, Adam', adam, 0.88),
    accuracyRow('CNN conv3×3(16)-pool-conv3×3(32)-pool-dense(128), Adam', cnn, 0.9),
  ]);
}

function fashionMnist(): { data: TrainTest; name: string } {
  try {
    return { data: loadFashionMnist(), name: 'Fashion-MNIST 60k/10k' };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return {
      data: loadFashionMnistSubset(),
      name: 'bundled Fashion-MNIST subset 3k/1k (full set not found)',
    };
  }
}

function train(
  data: TrainTest,
  kind: ClassifierKind,
  options: Record<string, unknown>,
  fit: FitOptions,
): Measured {
  const model = createClassifier(kind, options);
  const epochs: EpochProgress[] = [];
  model.fit(data.train, { batchSize: 128, seed: 0, ...fit, onEpoch: (p) => epochs.push(p) });
  const predicted = model.predict(data.test.x);
  const correct = predicted.reduce((s, p, i) => s + (p === data.test.y[i] ? 1 : 0), 0);
  return { epochs, testAccuracy: correct / predicted.length };
}

/** The median epoch, so a noisy neighbour on the machine does not decide the figure. */
function medianSeconds(m: Measured): number {
  const s = m.epochs.map((e) => e.seconds).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function speedRow(optimizer: string, m: Measured, images: number): Record<string, string | number> {
  const seconds = medianSeconds(m);
  return {
    optimizer,
    epochs: m.epochs.length,
    's/epoch (median)': seconds,
    's/epoch (fastest)': Math.min(...m.epochs.map((e) => e.seconds)),
    'images/s': Math.round(images / seconds),
    target: '≤ 2.5 s',
  };
}

function accuracyRow(model: string, m: Measured, target: number): Record<string, string | number> {
  return {
    model,
    epochs: m.epochs.length,
    's/epoch (median)': medianSeconds(m),
    'train accuracy': m.epochs.at(-1)!.accuracy,
    'test accuracy': m.testAccuracy,
    target: `≥ ${target}`,
    met: m.testAccuracy >= target ? 'yes' : 'no',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

import { describe, expect, it } from 'vitest';
import { kernelInfo, setThreads } from '../../src/engine/kernels/index.js';
import { InputError } from '../../src/errors.js';
import { classifierFromSnapshot, createClassifier, type EpochProgress } from '../../src/models/classifier.js';
import { blobs } from './blobs.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  return expect.fail('expected an InputError');
}

function accuracy(predicted: Int32Array, y: Int32Array): number {
  return predicted.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / y.length;
}

describe('createClassifier', () => {
  it('rejects unknown kinds and bad options, naming the option', () => {
    expect(inputError(() => createClassifier('forest' as 'mlp')).location.field).toBe('kind');
    expect(inputError(() => createClassifier('mlp', { hidden: [0] })).location.field).toBe('mlp.hidden[0]');
    expect(inputError(() => createClassifier('mlp', { layers: 3 })).location.field).toBe('mlp');
    expect(inputError(() => createClassifier('cnn', { kernelSize: 4 })).location.field).toBe(
      'cnn.kernelSize',
    );
    expect(inputError(() => createClassifier('softmax', { hidden: [3] })).location.field).toBe('softmax');
  });

  it('cannot predict before fitting', () => {
    const e = inputError(() =>
      createClassifier('softmax').predictProba({ shape: [1, 2], data: new Float32Array(2) }),
    );
    expect(e.message).toMatch(/not been fitted/);
  });
});

describe('NetworkClassifier.fit', () => {
  const data = blobs(300, 5, 3, 1);

  it('learns separable blobs with either optimizer, returning probabilities that sum to 1', () => {
    for (const [optimizer, learningRate] of [
      ['adam', 0.01],
      ['sgd', 0.05],
    ] as const) {
      const model = createClassifier('mlp', { hidden: [16] });
      model.fit(data, { epochs: 40, optimizer, learningRate, seed: 3 });
      expect(accuracy(model.predict(data.x), data.y)).toBeGreaterThan(0.97);
      const p = model.predictProba(data.x);
      expect(p.shape).toEqual([300, 3]);
      for (let i = 0; i < 300; i++)
        expect(p.data[i * 3] + p.data[i * 3 + 1] + p.data[i * 3 + 2]).toBeCloseTo(1, 5);
    }
  });

  it('reports every epoch through onEpoch and never prints', () => {
    const seen: EpochProgress[] = [];
    const model = createClassifier('softmax');
    const result = model.fit(data, { epochs: 4, validationSplit: 0.2, onEpoch: (p) => seen.push(p) });
    expect(seen.map((p) => p.epoch)).toEqual([1, 2, 3, 4]);
    expect(seen.every((p) => p.epochs === 4 && p.validationLoss !== undefined && p.seconds >= 0)).toBe(true);
    expect(seen[3].loss).toBeLessThan(seen[0].loss);
    expect(result.history).toEqual(seen);
  });

  it('with patience, stops early and restores the weights of the best validation epoch', () => {
    // Noisy overlapping blobs and a huge learning rate: the validation loss soon stops improving.
    const noisy = blobs(200, 4, 2, 5, 4);
    for (const seed of [1, 2, 3]) {
      const model = createClassifier('mlp', { hidden: [64] });
      const result = model.fit(noisy, {
        epochs: 60,
        learningRate: 0.05,
        validationSplit: 0.3,
        patience: 3,
        seed,
      });
      expect(result.stoppedEarly).toBe(true);
      const losses = result.history.map((p) => p.validationLoss!);
      const best = Math.min(...losses);
      expect(result.bestEpoch).toBe(losses.indexOf(best) + 1);
      expect(result.history.length).toBe(result.bestEpoch! + 3);
      // Re-evaluate the restored model on the same validation rows: its loss is the best one.
      const again = createClassifier('mlp', { hidden: [64] });
      const replay = again.fit(noisy, {
        epochs: result.bestEpoch!,
        learningRate: 0.05,
        validationSplit: 0.3,
        seed,
      });
      expect(replay.history.at(-1)!.validationLoss).toBe(best);
      expect(Array.from(model.predictProba(noisy.x).data)).toEqual(
        Array.from(again.predictProba(noisy.x).data),
      );
    }
  });

  it('is byte-for-byte reproducible from its seed', () => {
    for (const seed of [0, 7, 42]) {
      const run = () => {
        const model = createClassifier('mlp', { hidden: [8, 8] });
        model.fit(data, { epochs: 3, batchSize: 16, validationSplit: 0.1, seed });
        return model.toSnapshot().weights;
      };
      const [a, b] = [run(), run()];
      for (const [name, t] of a)
        expect(Buffer.from(t.data.buffer).equals(Buffer.from(b.get(name)!.data.buffer))).toBe(true);
      const other = createClassifier('mlp', { hidden: [8, 8] });
      other.fit(data, { epochs: 3, batchSize: 16, validationSplit: 0.1, seed: seed + 1 });
      expect(Array.from(other.toSnapshot().weights.get('layers.0.weight')!.data)).not.toEqual(
        Array.from(a.get('layers.0.weight')!.data),
      );
    }
  });

  it('gives identical weights whether the kernels run on one thread or several', () => {
    // 64 × 64 × 256 multiply-adds per product: large enough for the GEMM to split over threads.
    const wide = blobs(256, 64, 4, 2);
    const initial = kernelInfo().threads;
    const weightsWith = (threads: number) => {
      setThreads(threads);
      try {
        const model = createClassifier('mlp', { hidden: [256] });
        model.fit(wide, { epochs: 2, batchSize: 64, seed: 1 });
        return model.toSnapshot().weights;
      } finally {
        setThreads(initial);
      }
    };
    const [one, two] = [weightsWith(1), weightsWith(2)];
    for (const [name, t] of one)
      expect(Buffer.from(t.data.buffer).equals(Buffer.from(two.get(name)!.data.buffer))).toBe(true);
  });

  it('validates its options and the data, naming the field and row', () => {
    const model = createClassifier('softmax');
    expect(inputError(() => model.fit(data, { epochs: 0 })).location.field).toBe('fit.epochs');
    expect(inputError(() => model.fit(data, { optimizer: 'lbfgs' as 'adam' })).location.field).toBe(
      'fit.optimizer',
    );
    expect(inputError(() => model.fit(data, { patience: 2 })).location.field).toBe('fit.patience');
    expect(inputError(() => model.fit(data, { validationSplit: 1 })).location.field).toBe(
      'fit.validationSplit',
    );

    const badLabel = { ...data, y: data.y.slice() };
    badLabel.y[41] = 3;
    const e = inputError(() => model.fit(badLabel));
    expect(e.location).toMatchObject({ row: 42, field: 'label' });

    const nan = {
      ...data,
      x: { shape: data.x.shape, data: data.x.data.slice() },
      featureNames: ['a', 'b', 'c', 'd', 'e'],
    };
    nan.x.data[5 * 7 + 3] = Number.NaN;
    expect(inputError(() => model.fit(nan)).location).toMatchObject({ row: 8, field: 'd' });

    expect(
      inputError(() => model.fit({ ...data, numClasses: 1, y: new Int32Array(300) })).location.field,
    ).toBe('numClasses');
  });

  it('diverging training is an InputError pointing at the learning rate', () => {
    const huge = { ...data, x: { shape: data.x.shape, data: data.x.data.map((v) => v * 1e30) } };
    const model = createClassifier('softmax');
    const e = inputError(() =>
      model.fit(huge, { epochs: 3, optimizer: 'sgd', learningRate: 1e30, standardize: 'none' }),
    );
    expect(e.location.field).toBe('learningRate');
  });

  it('stops when the signal aborts', () => {
    const controller = new AbortController();
    const model = createClassifier('softmax');
    expect(() =>
      model.fit(data, {
        epochs: 50,
        onEpoch: (p) => p.epoch === 2 && controller.abort(new Error('stop')),
        signal: controller.signal,
      }),
    ).toThrow('stop');
  });

  it('a second fit continues from the fitted weights (fine-tuning)', () => {
    const model = createClassifier('softmax');
    model.fit(data, { epochs: 3, seed: 1 });
    const before = model.toSnapshot();
    const result = model.fit(data, { epochs: 1, seed: 1 });
    const fresh = createClassifier('softmax');
    const freshResult = fresh.fit(data, { epochs: 1, seed: 1 });
    expect(result.history[0].loss).toBeLessThan(freshResult.history[0].loss);
    expect(model.toSnapshot().architecture.standardization).toEqual(before.architecture.standardization);
    expect(inputError(() => model.fit({ ...data, numClasses: 4 })).location.field).toBe('numClasses');
  });
});

describe('snapshots', () => {
  it('a classifier rebuilt from its snapshot predicts identically; the snapshot is a copy', () => {
    for (const kind of ['softmax', 'mlp'] as const) {
      const data = blobs(120, 6, 4, 9);
      const model = createClassifier(kind);
      model.fit({ ...data, classNames: ['a', 'b', 'c', 'd'] }, { epochs: 2, seed: 2 });
      const snapshot = model.toSnapshot();
      expect(snapshot.architecture.kind).toBe(kind);
      expect(snapshot.architecture.classNames).toEqual(['a', 'b', 'c', 'd']);
      expect(snapshot.architecture.standardization?.mean.length).toBe(6);
      const rebuilt = classifierFromSnapshot(snapshot);
      expect(Array.from(rebuilt.predictProba(data.x).data)).toEqual(
        Array.from(model.predictProba(data.x).data),
      );
      expect(Array.from(rebuilt.embed(data.x).data)).toEqual(Array.from(model.embed(data.x).data));
      snapshot.weights.get('layers.0.weight')!.data.fill(0);
      expect(Array.from(rebuilt.predictProba(data.x).data)).toEqual(
        Array.from(model.predictProba(data.x).data),
      );
    }
  });

  it('embeds into the penultimate representation: the standardised input for softmax regression', () => {
    const data = blobs(50, 6, 4, 9);
    const softmax = createClassifier('softmax');
    softmax.fit(data, { epochs: 1 });
    const { mean, std } = softmax.toSnapshot().architecture.standardization!;
    const e = softmax.embed(data.x);
    expect(e.shape).toEqual([50, 6]);
    expect(e.data[7]).toBeCloseTo((data.x.data[7] - mean[1]) / std[1], 5);
    const mlp = createClassifier('mlp', { hidden: [10, 7] });
    mlp.fit(data, { epochs: 1 });
    expect(mlp.embed(data.x).shape).toEqual([50, 7]);
  });

  it('a bad snapshot is an InputError naming the tensor', () => {
    const model = createClassifier('softmax');
    model.fit(blobs(30, 3, 3, 1), { epochs: 1 });
    const snapshot = model.toSnapshot();
    snapshot.weights.delete('layers.0.bias');
    expect(inputError(() => classifierFromSnapshot(snapshot)).location.field).toBe('layers.0.bias');
  });
});

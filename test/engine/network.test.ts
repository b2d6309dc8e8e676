import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { INPUT_LAYER, Network } from '../../src/engine/network.js';
import { Rng } from '../../src/engine/rng.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { InputError } from '../../src/errors.js';
import type { Architecture, LayerSpec } from '../../src/models/architecture.js';
import { randomTensor } from './gradient-check.js';

function architecture(
  layers: LayerSpec[],
  inputShape: number[],
  numClasses: number,
  extra: Partial<Architecture> = {},
) {
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'sequential',
    inputShape,
    numClasses,
    layers,
    ...extra,
  } as Architecture;
}

const mlp = architecture(
  [
    { type: 'dense', inputs: 3, units: 4 },
    { type: 'relu' },
    { type: 'dense', inputs: 4, units: 2 },
    { type: 'softmax' },
  ],
  [3],
  2,
);

const cnn = architecture(
  [
    { type: 'conv2d', inChannels: 2, filters: 3, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1] },
    { type: 'relu' },
    { type: 'maxpool2d', poolSize: [2, 2], stride: [2, 2] },
    { type: 'flatten' },
    { type: 'dense', inputs: 12, units: 5 },
    { type: 'tanh' },
    { type: 'dense', inputs: 5, units: 3 },
  ],
  [2, 4, 4],
  3,
  {
    standardization: {
      mean: Array.from({ length: 32 }, (_, i) => i / 32),
      std: Array.from({ length: 32 }, (_, i) => 1 + i / 16),
    },
  },
);

function expectInputError(fn: () => unknown, field: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location.field).toBe(field);
    expect((error as InputError).message).toMatch(message);
    return;
  }
  expect.fail('expected an InputError');
}

describe('Network construction', () => {
  it('names parameters layers.<i>.weight|bias with the architecture layouts', () => {
    const net = Network.initialize(cnn, 1);
    expect(net.parameters.map((p) => [p.name, p.value.shape])).toEqual([
      ['layers.0.weight', [3, 2, 3, 3]],
      ['layers.0.bias', [3]],
      ['layers.4.weight', [12, 5]],
      ['layers.4.bias', [5]],
      ['layers.6.weight', [5, 3]],
      ['layers.6.bias', [3]],
    ]);
    expect(net.logitsLayer).toBe(6);
    expect(net.embeddingLayer).toBe(5);
    expect(Network.initialize(mlp, 1).logitsLayer).toBe(2);
  });

  it('initialises deterministically: same seed → identical bytes, another seed → different', () => {
    for (const seed of [1, 2, 3]) {
      const a = Network.initialize(cnn, seed).weights();
      const b = Network.initialize(cnn, seed).weights();
      const c = Network.initialize(cnn, seed + 10).weights();
      for (const [name, t] of a) {
        expect(Buffer.from(t.data.buffer).equals(Buffer.from(b.get(name)!.data.buffer))).toBe(true);
        if (name.endsWith('weight')) expect(Array.from(t.data)).not.toEqual(Array.from(c.get(name)!.data));
        else expect(Array.from(t.data).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('He-initialises weights before a ReLU (std √(2/fan-in)), Glorot-uniform otherwise', () => {
    const wide = architecture(
      [
        { type: 'dense', inputs: 400, units: 300 },
        { type: 'relu' },
        { type: 'dense', inputs: 300, units: 200 },
      ],
      [400],
      200,
    );
    const w = Network.initialize(wide, 5).weights();
    const first = w.get('layers.0.weight')!.data;
    const std = Math.sqrt(first.reduce((s, v) => s + v * v, 0) / first.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 400), 3);
    const limit = Math.sqrt(6 / 500);
    const second = w.get('layers.2.weight')!.data;
    const largest = second.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(limit);
    expect(largest).toBeGreaterThan(0.99 * limit);
  });

  it('rejects architectures whose layers do not compose, naming the field', () => {
    const bad =
      (layers: LayerSpec[], inputShape = [3], numClasses = 2) =>
      () =>
        Network.initialize(architecture(layers, inputShape, numClasses), 0);
    expectInputError(
      bad([{ type: 'dense', inputs: 4, units: 2 }]),
      'layers[0].inputs',
      /expects 4 inputs but gets 3/,
    );
    expectInputError(bad([{ type: 'dense', inputs: 3, units: 5 }]), 'numClasses', /not the 2 classes/);
    expectInputError(
      bad([{ type: 'dense', inputs: 3, units: 2 }], [1, 1, 3]),
      'layers[0]',
      /needs a flat input.*add a flatten layer/,
    );
    expectInputError(
      bad(
        [{ type: 'conv2d', inChannels: 1, filters: 2, kernelSize: [5, 5], stride: [1, 1], padding: [0, 0] }],
        [1, 3, 3],
      ),
      'layers[0].kernelSize',
      /does not fit/,
    );
    expectInputError(
      bad([{ type: 'maxpool2d', poolSize: [2, 2], stride: [2, 2] }], [3]),
      'layers[0]',
      /needs a \[channels, height, width\] input/,
    );
    expectInputError(bad([{ type: 'dense', inputs: 3, units: 0 }]), 'layers[0]', /positive integers/);
  });

  it('rejects missing, extra, misshapen and non-finite weights, naming the tensor', () => {
    const weights = () => Network.initialize(mlp, 0).weights();
    const missing = weights();
    missing.delete('layers.2.bias');
    expectInputError(() => new Network(mlp, missing), 'layers.2.bias', /missing/);
    const extra = weights();
    extra.set('layers.1.weight', { shape: [1], data: new Float32Array(1) });
    expectInputError(() => new Network(mlp, extra), 'layers.1.weight', /not used by any layer/);
    const misshapen = weights();
    misshapen.set('layers.0.weight', { shape: [4, 3], data: new Float32Array(12) });
    expectInputError(
      () => new Network(mlp, misshapen),
      'layers.0.weight',
      /\[4, 3\] does not match the architecture's \[3, 4\]/,
    );
    const nan = weights();
    nan.get('layers.2.weight')!.data[5] = Number.NaN;
    expectInputError(() => new Network(mlp, nan), 'layers.2.weight', /value NaN at index 5 is not finite/);
    const badStd = architecture(mlp.layers, [3], 2, { standardization: { mean: [0, 0, 0], std: [1, 0, 1] } });
    expectInputError(
      () => Network.initialize(badStd, 0),
      'standardization',
      /standard deviations finite and > 0/,
    );
  });
});

describe('Network forward', () => {
  it('computes a hand-set MLP: softmax(relu(x·W₁ + b₁)·W₂ + b₂)', () => {
    const weights = new Map<string, Tensor>([
      ['layers.0.weight', { shape: [3, 4], data: Float32Array.of(1, 0, 0, -1, 0, 1, 0, 0, 0, 0, 1, 0) }],
      ['layers.0.bias', { shape: [4], data: Float32Array.of(0, 0, -5, 0) }],
      ['layers.2.weight', { shape: [4, 2], data: Float32Array.of(1, 0, 0, 1, 1, 1, 1, -1) }],
      ['layers.2.bias', { shape: [2], data: Float32Array.of(0, 0.5) }],
    ]);
    const net = new Network(mlp, weights);
    const x = { shape: [1, 3], data: Float32Array.of(2, 3, 4) };
    // hidden = relu([2, 3, −1, −2]) = [2, 3, 0, 0]; logits = [2, 3.5]
    expect(Array.from(net.activations(x, 1).data)).toEqual([2, 3, 0, 0]);
    expect(Array.from(net.activations(x, 2).data)).toEqual([2, 3.5]);
    const p = net.forward(x).data;
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(1.5)), 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
  });

  it('applies the standardisation first, accepts flat rows, and processes large inputs in chunks', () => {
    const net = Network.initialize(cnn, 7);
    const rng = new Rng(7);
    const x = randomTensor([300, 2, 4, 4], rng);
    const flat = { shape: [300, 32], data: x.data };
    const standardized = net.activations(flat, INPUT_LAYER);
    expect(standardized.shape).toEqual([300, 2, 4, 4]);
    const { mean, std } = cnn.standardization!;
    expect(standardized.data[33]).toBeCloseTo((x.data[33] - mean[1]) / std[1], 5);

    const g = new Graph();
    const outputs = net.apply(g, g.constant(x));
    const logits = net.activations(x, net.logitsLayer);
    expect(logits.shape).toEqual([300, 3]);
    logits.data.forEach((v, i) => {
      expect(v).toBeCloseTo(outputs[7].data[i], 5);
    });
    expect(Array.from(net.activations(flat, 4).data)).toEqual(Array.from(net.activations(x, 4).data));
  });

  it('rejects inputs of the wrong shape as an InputError on x', () => {
    const net = Network.initialize(cnn, 1);
    expectInputError(
      () => net.forward({ shape: [2, 31], data: new Float32Array(62) }),
      'x',
      /does not fit the model's input \[2, 4, 4\]/,
    );
    expectInputError(
      () => net.forward({ shape: [2, 2, 2, 8], data: new Float32Array(64) }),
      'x',
      /does not fit/,
    );
  });
});

describe('Network.inputGradient', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches central differences of the loss through standardisation, conv, pool and dense (seed ${seed})`, () => {
      const net = Network.initialize(cnn, seed);
      const rng = new Rng(seed);
      const x = randomTensor([3, 2, 4, 4], rng);
      const labels = Int32Array.of(0, 2, 1);
      const { gradient, loss } = net.inputGradient(x, labels);
      expect(gradient.shape).toEqual([3, 2, 4, 4]);
      // Parameters are left untouched.
      expect(net.parameters.every((p) => p.grad.every((v) => v === 0))).toBe(true);
      for (const i of [0, 5, 17, 40, 63, 95]) {
        const saved = x.data[i];
        x.data[i] = saved + 2e-3;
        const high = x.data[i];
        const plus = net.inputGradient(x, labels).loss;
        x.data[i] = saved - 2e-3;
        const low = x.data[i];
        const minus = net.inputGradient(x, labels).loss;
        x.data[i] = saved;
        expect(gradient.data[i]).toBeCloseTo((plus - minus) / (high - low), 3);
      }
      expect(loss).toBeGreaterThan(0);
    });
  }
});

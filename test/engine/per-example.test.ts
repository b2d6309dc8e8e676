import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { dense } from '../../src/engine/dense.js';
import { softmaxCrossEntropy } from '../../src/engine/losses.js';
import { Network } from '../../src/engine/network.js';
import { add } from '../../src/engine/ops.js';
import { PerExampleGradients } from '../../src/engine/per-example.js';
import { Rng } from '../../src/engine/rng.js';
import type { Architecture, LayerSpec } from '../../src/models/architecture.js';
import { randomTensor } from './gradient-check.js';

function architecture(layers: LayerSpec[], inputShape: number[], numClasses: number): Architecture {
  return { format: 'antidote-model', version: 1, kind: 'sequential', inputShape, numClasses, layers };
}

const NETWORKS: [string, Architecture][] = [
  [
    'mlp',
    architecture(
      [{ type: 'dense', inputs: 6, units: 5 }, { type: 'relu' }, { type: 'dense', inputs: 5, units: 3 }],
      [6],
      3,
    ),
  ],
  [
    'cnn',
    architecture(
      [
        { type: 'conv2d', inChannels: 2, filters: 3, kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] },
        { type: 'relu' },
        { type: 'flatten' },
        { type: 'dense', inputs: 27, units: 3, bias: false },
      ],
      [2, 5, 5],
      3,
    ),
  ],
];

/** Each example's gradient from its own batch of one: the ground truth. */
function gradientsOneByOne(net: Network, x: Float32Array, labels: Int32Array): Float32Array[] {
  const rowSize = x.length / labels.length;
  return Array.from(labels, (label, i) => {
    net.zeroGrad();
    const g = new Graph();
    const row = { shape: [1, ...net.inputShape], data: x.slice(i * rowSize, (i + 1) * rowSize) };
    const logits = net.apply(g, g.constant(row), net.logitsLayer).at(-1)!;
    g.backward(softmaxCrossEntropy(logits, [label], 'sum').loss);
    return Float32Array.from(net.parameters.flatMap((p) => Array.from(p.grad)));
  });
}

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
const allGrads = (net: Network) => Float32Array.from(net.parameters.flatMap((p) => Array.from(p.grad)));

describe('per-example gradients', () => {
  for (const [name, arch] of NETWORKS) {
    for (const seed of [1, 2, 3]) {
      it(`${name}: norms and clipped sums equal those of gradients computed one example at a time (seed ${seed})`, () => {
        const net = Network.initialize(arch, seed);
        const rng = new Rng(seed);
        const n = 6;
        const x = randomTensor([n, ...arch.inputShape], rng);
        const labels = Int32Array.from({ length: n }, () => rng.int(3));
        const truth = gradientsOneByOne(net, x.data, labels);
        const truthNorms = truth.map(norm);

        net.zeroGrad();
        const g = new Graph();
        const per = net.perExampleGradients(g, x, labels);
        expect(net.parameters.every((p) => p.grad.every((v) => v === 0))).toBe(true);
        per.norms().forEach((v, i) => {
          expect(v).toBeCloseTo(truthNorms[i], 4);
        });

        const clip = [...truthNorms].sort((a, b) => a - b)[n >> 1]; // clips about half of them
        const norms = per.accumulateClipped(clip);
        expect(norms.length).toBe(n);
        const expected = truth[0].map((_, j) =>
          truth.reduce((s, gi, i) => s + gi[j] * Math.min(1, clip / truthNorms[i]), 0),
        );
        allGrads(net).forEach((v, j) => {
          expect(v).toBeCloseTo(expected[j], 4);
        });

        // Weights of one-hot pick out a single example's gradient.
        net.zeroGrad();
        const onlyThird = new Float32Array(n);
        onlyThird[2] = 1;
        per.accumulate(onlyThird);
        allGrads(net).forEach((v, j) => {
          expect(v).toBeCloseTo(truth[2][j], 5);
        });
      });
    }
  }

  it('refuses a parameter used by two operations (the norms would miss cross terms)', () => {
    const g = new Graph();
    const rng = new Rng(1);
    const w = { name: 'w', value: randomTensor([3, 3], rng), grad: new Float32Array(9), trainable: true };
    const x = g.constant(randomTensor([2, 3], rng));
    const wv = g.parameter(w);
    const logits = add(dense(x, wv, null), dense(x, wv, null));
    expect(() =>
      g.backward(softmaxCrossEntropy(logits, [0, 1], 'sum').loss, { perExample: new PerExampleGradients(2) }),
    ).toThrow(/more than one operation/);
  });
});

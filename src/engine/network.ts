/**
 * A sequential network built from an `Architecture`: parameters by name, forward passes on an autodiff graph,
 * the activations of any layer, gradients with respect to the input, and per-example gradients.
 */
import { InputError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { Graph, type Parameter, type Var } from './autograd.js';
import { buildLayers, initialParameters, type Layer } from './layers.js';
import { type Reduction, softmaxCrossEntropy } from './losses.js';
import { mul, reshape, sub } from './ops.js';
import { PerExampleGradients } from './per-example.js';
import { Rng } from './rng.js';
import { sizeOf, type Tensor } from './tensor.js';

/** Rows per forward pass when a large input is processed in chunks (bounds the memory of inference). */
const INFERENCE_CHUNK = 256;

/** Index that names the network's input after standardisation in `activations` (layers are 0 … L−1). */
export const INPUT_LAYER = -1;

export class Network {
  /** The architecture (a private copy). */
  readonly architecture: Architecture;
  readonly layers: readonly Layer[];
  /** In layer order, weight before bias. */
  readonly parameters: readonly Parameter[];
  private readonly byName = new Map<string, Parameter>();
  private readonly standardization: { mean: Tensor; invStd: Tensor } | null;
  private readonly inference = new Graph();

  /** A network with the given weights (copied). Missing, extra, misshapen or non-finite weights → InputError. */
  constructor(architecture: Architecture, weights: ReadonlyMap<string, Tensor>) {
    this.architecture = structuredClone(architecture);
    this.layers = buildLayers(this.architecture);
    const parameters: Parameter[] = [];
    for (const layer of this.layers) {
      for (const [name, shape] of layer.parameterShapes) {
        const data = checkedWeight(name, shape, weights.get(name));
        const p: Parameter = {
          name,
          value: { shape: [...shape], data },
          grad: new Float32Array(data.length),
          trainable: true,
        };
        parameters.push(p);
        this.byName.set(name, p);
      }
    }
    for (const name of weights.keys()) {
      if (!this.byName.has(name)) {
        throw new InputError('weight is not used by any layer of the architecture', { field: name });
      }
    }
    this.parameters = parameters;
    this.standardization = standardizationTensors(this.architecture);
  }

  /** A network with freshly initialised weights (see `initialParameters`); same seed → same weights. */
  static initialize(architecture: Architecture, seed: number): Network {
    return new Network(architecture, initialParameters(buildLayers(architecture), new Rng(seed)));
  }

  get inputShape(): readonly number[] {
    return this.architecture.inputShape;
  }

  get numClasses(): number {
    return this.architecture.numClasses;
  }

  /** The layer whose output are the logits: the last one, or the one before a final softmax. */
  get logitsLayer(): number {
    const last = this.layers.length - 1;
    return this.layers[last]?.spec.type === 'softmax' ? last - 1 : last;
  }

  /**
   * The layer whose output is the embedding (penultimate representation): the architecture's `embeddingLayer`,
   * else the layer feeding the last dense layer (INPUT_LAYER when that is the first layer).
   */
  get embeddingLayer(): number {
    if (this.architecture.embeddingLayer !== undefined) return this.architecture.embeddingLayer;
    for (let i = this.layers.length - 1; i >= 0; i--) if (this.layers[i].spec.type === 'dense') return i - 1;
    return this.logitsLayer - 1;
  }

  parameter(name: string): Parameter {
    const p = this.byName.get(name);
    if (p === undefined) throw new RangeError(`no parameter "${name}"`);
    return p;
  }

  /**
   * The forward pass of the batch `x` on `graph`, up to layer `upTo` (default: the last). Returns the
   * standardised input at index 0 and the output of layer i at index i + 1. `x` is [n, ...inputShape] or
   * [n, features]; with `standardized`, x was already standardised (see `copyStandardizedRow`).
   */
  apply(
    graph: Graph,
    x: Var,
    upTo = this.layers.length - 1,
    options: { standardized?: boolean } = {},
  ): Var[] {
    const sampleShape = x.shape.slice(1);
    const isInputShape =
      sampleShape.length === this.inputShape.length && sampleShape.every((d, i) => d === this.inputShape[i]);
    let h = isInputShape ? x : reshape(x, [x.shape[0], ...this.inputShape]);
    if (this.standardization !== null && !options.standardized) {
      const { mean, invStd } = this.standardization;
      h = mul(sub(h, graph.constant(mean)), graph.constant(invStd));
    }
    const outputs = [h];
    const param = (name: string) => graph.parameter(this.parameter(name));
    for (let i = 0; i <= upTo; i++) outputs.push((h = this.layers[i].apply(h, param)));
    return outputs;
  }

  /**
   * Copies row `row` of `source` (rows of the input size) to row `targetRow` of `target`, standardised as
   * `apply` would: a training loop assembling batches does the copy and the standardisation in one pass.
   */
  copyStandardizedRow(source: Float32Array, row: number, target: Float32Array, targetRow: number): void {
    const size = sizeOf(this.inputShape);
    const from = row * size;
    const to = targetRow * size;
    if (this.standardization === null) {
      target.set(source.subarray(from, from + size), to);
      return;
    }
    const mean = this.standardization.mean.data;
    const invStd = this.standardization.invStd.data;
    for (let j = 0; j < size; j++) target[to + j] = (source[from + j] - mean[j]) * invStd[j];
  }

  /** The network's output (class probabilities when the last layer is a softmax), [n, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.activations(x, this.layers.length - 1);
  }

  /** Output of layer `layer` (INPUT_LAYER: the standardised input) for every row of x, as [n, ...shape]. */
  activations(x: Tensor, layer: number): Tensor {
    const n = this.checkInput(x);
    if (!(Number.isInteger(layer) && layer >= INPUT_LAYER && layer < this.layers.length)) {
      throw new RangeError(`no layer ${layer} (the network has ${this.layers.length})`);
    }
    const sampleShape = layer === INPUT_LAYER ? this.inputShape : this.layers[layer].outputShape;
    const width = sizeOf(sampleShape);
    const result = new Float32Array(n * width);
    const rowSize = sizeOf(this.inputShape);
    const g = this.inference;
    for (let start = 0; start < n; start += INFERENCE_CHUNK) {
      const rows = Math.min(INFERENCE_CHUNK, n - start);
      g.reset();
      const chunk = g.constant({
        shape: [rows, ...this.inputShape],
        data: x.data.subarray(start * rowSize, (start + rows) * rowSize),
      });
      const outputs = this.apply(g, chunk, layer);
      result.set(outputs[layer + 1].data, start * width);
    }
    g.reset();
    return { shape: [n, ...sampleShape], data: result };
  }

  /**
   * Gradient of the cross-entropy loss (of the logits against `labels`) with respect to the input x, shaped
   * like x; the gradient passes through the standardisation. Also gives the loss and per-example losses.
   */
  inputGradient(
    x: Tensor,
    labels: ArrayLike<number>,
    reduction: Reduction = 'mean',
  ): { gradient: Tensor; loss: number; perExample: Float32Array } {
    this.checkInput(x);
    return this.withFrozenParameters(() => {
      const g = new Graph();
      const input = g.variable(x);
      const logits = this.apply(g, input, this.logitsLayer).at(-1)!;
      const { loss, perExample } = softmaxCrossEntropy(logits, labels, reduction);
      g.backward(loss);
      return {
        gradient: { shape: [...x.shape], data: Float32Array.from(g.gradOf(input)) },
        loss: loss.data[0],
        perExample: Float32Array.from(perExample),
      };
    });
  }

  /**
   * Per-example gradients of the cross-entropy of each row of the batch x (valid until `graph` is reset):
   * call `accumulateClipped(C)` on the result to add the clipped sum into the parameters' gradients (DP-SGD).
   */
  perExampleGradients(graph: Graph, x: Tensor, labels: ArrayLike<number>): PerExampleGradients {
    const n = this.checkInput(x);
    const logits = this.apply(graph, graph.constant(x), this.logitsLayer).at(-1)!;
    const perExample = new PerExampleGradients(n);
    graph.backward(softmaxCrossEntropy(logits, labels, 'sum').loss, { perExample });
    return perExample;
  }

  zeroGrad(): void {
    for (const p of this.parameters) p.grad.fill(0);
  }

  /** Copies of all parameters, by name. */
  weights(): Map<string, Tensor> {
    return new Map(
      this.parameters.map((p) => [
        p.name,
        { shape: [...p.value.shape], data: Float32Array.from(p.value.data) },
      ]),
    );
  }

  /** Overwrites every parameter from `weights` (same names and shapes, e.g. from `weights()`). */
  setWeights(weights: ReadonlyMap<string, Tensor>): void {
    for (const p of this.parameters) {
      const w = weights.get(p.name);
      if (w === undefined || w.data.length !== p.value.data.length)
        throw new RangeError(`setWeights: bad "${p.name}"`);
      p.value.data.set(w.data);
    }
  }

  /** Checks that x is [n, ...inputShape] or [n, features] and returns n. */
  checkInput(x: Tensor): number {
    const features = sizeOf(this.inputShape);
    const n = x.shape[0];
    const sample = x.shape.slice(1);
    const matches =
      (sample.length === 1 && sample[0] === features) ||
      (sample.length === this.inputShape.length && sample.every((d, i) => d === this.inputShape[i]));
    if (x.shape.length === 0 || !matches || x.data.length !== n * features) {
      throw new InputError(
        `input of shape [${x.shape.join(', ')}] does not fit the model's input [${this.inputShape.join(', ')}]`,
        { field: 'x' },
      );
    }
    return n;
  }

  /** Runs fn with every parameter entering graphs as a constant, so only the input receives a gradient. */
  private withFrozenParameters<T>(fn: () => T): T {
    const trainable = this.parameters.map((p) => p.trainable);
    for (const p of this.parameters) p.trainable = false;
    try {
      return fn();
    } finally {
      this.parameters.forEach((p, i) => {
        p.trainable = trainable[i];
      });
    }
  }
}

/** A copy of the weight `name`, checked to exist, to have `shape` and to hold finite values. */
function checkedWeight(name: string, shape: readonly number[], given: Tensor | undefined): Float32Array {
  if (given === undefined) throw new InputError('weight is missing', { field: name });
  if (given.shape.length !== shape.length || given.shape.some((d, i) => d !== shape[i])) {
    throw new InputError(
      `shape [${given.shape.join(', ')}] does not match the architecture's [${shape.join(', ')}]`,
      {
        field: name,
      },
    );
  }
  if (given.data.length !== sizeOf(shape))
    throw new InputError('data length does not match its shape', { field: name });
  const bad = given.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new InputError(`value ${given.data[bad]} at index ${bad} is not finite`, { field: name });
  return Float32Array.from(given.data);
}

function standardizationTensors(architecture: Architecture): { mean: Tensor; invStd: Tensor } | null {
  const s = architecture.standardization;
  if (s === undefined) return null;
  const size = sizeOf(architecture.inputShape);
  if (s.mean.length !== size || s.std.length !== size) {
    throw new InputError(`needs ${size} means and standard deviations, one per input feature`, {
      field: 'standardization',
    });
  }
  if (!s.std.every((v) => Number.isFinite(v) && v > 0) || !s.mean.every(Number.isFinite)) {
    throw new InputError('means must be finite and standard deviations finite and > 0', {
      field: 'standardization',
    });
  }
  const shape = architecture.inputShape;
  return {
    mean: { shape, data: Float32Array.from(s.mean) },
    invStd: { shape, data: Float32Array.from(s.std, (v) => 1 / v) },
  };
}

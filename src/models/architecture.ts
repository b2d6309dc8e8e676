import type { Tensor } from '../engine/tensor.js';

/**
 * The architecture of a sequential network, as saved in `architecture.json` beside `weights.safetensors`.
 * Layout conventions (PyTorch-style): images are NCHW; dense weights are [in, out]; conv weights are
 * [outChannels, inChannels, kh, kw]; flatten is over C, H, W in that order.
 * Parameters are named `layers.<index>.weight` and `layers.<index>.bias`, index into `layers`.
 */
export type LayerSpec =
  | { type: 'dense'; inputs: number; units: number; bias?: boolean }
  | {
      type: 'conv2d';
      inChannels: number;
      filters: number;
      kernelSize: [number, number];
      stride: [number, number];
      /** Zero padding on each side, [rows, cols]. */
      padding: [number, number];
      bias?: boolean;
    }
  | { type: 'maxpool2d'; poolSize: [number, number]; stride: [number, number] }
  | { type: 'flatten' }
  | { type: 'relu' }
  | { type: 'sigmoid' }
  | { type: 'tanh' }
  /** Softmax as the last layer; training uses the logits before it (softmax cross-entropy). */
  | { type: 'softmax' };

export interface Architecture {
  format: 'antidote-model';
  version: 1;
  /** Which classifier built it ('sequential' for imported models). */
  kind: 'softmax' | 'mlp' | 'cnn' | 'sequential';
  /** Shape of one input sample, e.g. [64] or [1, 28, 28]. */
  inputShape: number[];
  numClasses: number;
  layers: LayerSpec[];
  classNames?: string[];
  featureNames?: string[];
  /** Per-feature standardisation applied to inputs before the first layer, if the model was fitted with it. */
  standardization?: { mean: number[]; std: number[] };
  /** Index into `layers` of the layer whose output is the embedding (the penultimate representation). */
  embeddingLayer?: number;
}

/** A model as data: architecture plus named parameter tensors. What save/load and importers exchange. */
export interface ModelSnapshot {
  architecture: Architecture;
  weights: Map<string, Tensor>;
}

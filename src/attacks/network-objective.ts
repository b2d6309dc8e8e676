/** Cross-entropy of a network on a batch, with or without parameter gradients: the objective of the model attacks. */
import { Graph } from '../engine/autograd.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import type { Network } from '../engine/network.js';
import type { Tensor } from '../engine/tensor.js';
import { accuracy, argmaxRows } from '../eval/classification.js';

/** Mean cross-entropy of the batch; the parameters' `grad` buffers are overwritten with its gradient. */
export function lossWithGradients(network: Network, x: Tensor, y: Int32Array): number {
  const graph = new Graph();
  const logits = network.apply(graph, graph.constant(x), network.logitsLayer).at(-1)!;
  const { loss } = softmaxCrossEntropy(logits, y);
  network.zeroGrad();
  graph.backward(loss);
  return loss.data[0];
}

/** Mean cross-entropy and accuracy of the batch (no gradients). */
export function evaluateBatch(
  network: Network,
  x: Tensor,
  y: Int32Array,
): { loss: number; accuracy: number } {
  const logits = network.activations(x, network.logitsLayer);
  const graph = new Graph();
  const { loss } = softmaxCrossEntropy(graph.constant(logits), y);
  return { loss: loss.data[0], accuracy: accuracy(argmaxRows(logits), y) };
}

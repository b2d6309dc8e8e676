/** Multi-layer perceptron: dense + activation for each hidden size, then a dense layer to the classes. */
import { z } from 'zod';
import { sizeOf } from '../engine/tensor.js';
import type { Architecture, LayerSpec } from './architecture.js';

export const mlpOptionsSchema = z.strictObject({
  /** Units of each hidden layer, input side first. */
  hidden: z.array(z.number().int().positive()).min(1).default([128]),
  activation: z.enum(['relu', 'tanh', 'sigmoid']).default('relu'),
});

export type MlpOptions = z.input<typeof mlpOptionsSchema>;

/** The embedding is the output of the last hidden layer's activation. */
export function mlpArchitecture(
  inputShape: readonly number[],
  numClasses: number,
  options: z.output<typeof mlpOptionsSchema>,
): Architecture {
  const layers: LayerSpec[] = inputShape.length > 1 ? [{ type: 'flatten' }] : [];
  let inputs = sizeOf(inputShape);
  for (const units of options.hidden) {
    layers.push({ type: 'dense', inputs, units }, { type: options.activation });
    inputs = units;
  }
  const embeddingLayer = layers.length - 1;
  layers.push({ type: 'dense', inputs, units: numClasses }, { type: 'softmax' });
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'mlp',
    inputShape: [...inputShape],
    numClasses,
    layers,
    embeddingLayer,
  };
}

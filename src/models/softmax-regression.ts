/** Softmax (multinomial logistic) regression: one dense layer from the flattened input to the classes. */
import { sizeOf } from '../engine/tensor.js';
import type { Architecture, LayerSpec } from './architecture.js';

export function softmaxRegressionArchitecture(
  inputShape: readonly number[],
  numClasses: number,
): Architecture {
  const layers: LayerSpec[] = inputShape.length > 1 ? [{ type: 'flatten' }] : [];
  layers.push({ type: 'dense', inputs: sizeOf(inputShape), units: numClasses }, { type: 'softmax' });
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'softmax',
    inputShape: [...inputShape],
    numClasses,
    layers,
  };
}

/**
 * A small LeNet-like convolutional network (LeCun et al. 1998): two blocks of conv ("same" padding) → 2×2
 * max-pool → ReLU, then dense → ReLU → dense to the classes. Pooling before the ReLU computes the same function
 * as the usual ReLU-then-pool (ReLU is monotonic, so it commutes with max) on a quarter of the values.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { Architecture, LayerSpec } from './architecture.js';

const positive = z.number().int().positive();

export const cnnOptionsSchema = z.strictObject({
  /** [channels, height, width] of one image, for data given as flat rows (e.g. [1, 8, 8] for 64 features). */
  inputShape: z.tuple([positive, positive, positive]).optional(),
  /** Filters of the two convolutions. */
  filters: z.tuple([positive, positive]).default([16, 32]),
  /** Square kernel size of both convolutions (odd, so "same" padding is symmetric). */
  kernelSize: positive.refine((k) => k % 2 === 1, 'must be odd').default(3),
  /** Units of the hidden dense layer (its ReLU output is the embedding). */
  hidden: positive.default(128),
});

export type CnnOptions = z.input<typeof cnnOptionsSchema>;

/**
 * The image shape [c, h, w] for samples of shape `sampleShape`: the options' `inputShape`, an image sample
 * shape as is, or a square single-channel image for flat rows whose length is a perfect square.
 */
export function cnnInputShape(
  sampleShape: readonly number[],
  configured?: readonly number[],
): [number, number, number] {
  const features = sampleShape.reduce((a, b) => a * b, 1);
  if (configured !== undefined) {
    const [c, h, w] = configured;
    if (c * h * w !== features) {
      throw new InputError(
        `input shape [${configured.join(', ')}] does not hold the data's ${features} features`,
        {
          field: 'inputShape',
        },
      );
    }
    return [c, h, w];
  }
  if (sampleShape.length === 3) return [sampleShape[0], sampleShape[1], sampleShape[2]];
  const side = Math.round(Math.sqrt(features));
  if (sampleShape.length === 1 && side * side === features) return [1, side, side];
  throw new InputError(
    `cannot tell the image shape of samples of shape [${sampleShape.join(', ')}]; give inputShape`,
    {
      field: 'inputShape',
    },
  );
}

export function cnnArchitecture(
  inputShape: readonly [number, number, number],
  numClasses: number,
  options: z.output<typeof cnnOptionsSchema>,
): Architecture {
  const [channels, height, width] = inputShape;
  const k = options.kernelSize;
  const pad = (k - 1) / 2;
  const layers: LayerSpec[] = [];
  let [c, h, w] = [channels, height, width];
  for (const filters of options.filters) {
    if (h < 2 || w < 2) {
      throw new InputError(`a ${height}×${width} image is too small for two 2×2 poolings`, {
        field: 'inputShape',
      });
    }
    layers.push(
      { type: 'conv2d', inChannels: c, filters, kernelSize: [k, k], stride: [1, 1], padding: [pad, pad] },
      { type: 'maxpool2d', poolSize: [2, 2], stride: [2, 2] },
      { type: 'relu' },
    );
    [c, h, w] = [filters, Math.floor(h / 2), Math.floor(w / 2)];
  }
  layers.push(
    { type: 'flatten' },
    { type: 'dense', inputs: c * h * w, units: options.hidden },
    { type: 'relu' },
  );
  const embeddingLayer = layers.length - 1;
  layers.push({ type: 'dense', inputs: options.hidden, units: numClasses }, { type: 'softmax' });
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'cnn',
    inputShape: [...inputShape],
    numClasses,
    layers,
    embeddingLayer,
  };
}

import { describe, expect, it } from 'vitest';
import { Network } from '../../src/engine/network.js';
import { firstDenseLayer, flattenWeights } from '../../src/federated/weights.js';
import type { Architecture } from '../../src/models/architecture.js';
import { cnnArchitecture, cnnOptionsSchema } from '../../src/models/cnn.js';
import { mlpArchitecture, mlpOptionsSchema } from '../../src/models/mlp.js';
import { softmaxRegressionArchitecture } from '../../src/models/softmax-regression.js';

const snapshot = (architecture: Architecture) => ({
  architecture,
  weights: Network.initialize(architecture, 1).weights(),
});

describe('firstDenseLayer', () => {
  it('finds the softmax layer after the flatten: weight [784, 10] first, then the bias', () => {
    const model = snapshot(softmaxRegressionArchitecture([1, 28, 28], 10));
    expect(firstDenseLayer(model)).toEqual({ weightOffset: 0, inputs: 784, units: 10, biasOffset: 7840 });
    expect(flattenWeights(model)).toHaveLength(7850);
  });

  it("finds an MLP's first hidden layer, wherever the snapshot puts it", () => {
    const model = snapshot(mlpArchitecture([64], 10, mlpOptionsSchema.parse({ hidden: [32] })));
    const layer = firstDenseLayer(model);
    expect(layer).toMatchObject({ inputs: 64, units: 32 });
    // The offsets point at the first layer's own values.
    const flat = flattenWeights(model);
    const [weight, bias] = [...model.weights.values()];
    expect(Array.from(flat.subarray(layer?.weightOffset, (layer?.weightOffset ?? 0) + 64 * 32))).toEqual(
      Array.from(weight.data),
    );
    expect(Array.from(flat.subarray(layer?.biasOffset, (layer?.biasOffset ?? 0) + 32))).toEqual(
      Array.from(bias.data),
    );
  });

  it('is undefined when the first layer with parameters is a convolution', () => {
    const model = snapshot(cnnArchitecture([1, 8, 8], 10, cnnOptionsSchema.parse({})));
    expect(firstDenseLayer(model)).toBeUndefined();
  });
});

/**
 * The layers of a sequential architecture (src/models/architecture.ts): per-sample shapes through the chain,
 * parameter shapes, initial values, and the forward operation of each layer on a batch.
 */
import { InputError } from '../errors.js';
import type { Architecture, LayerSpec } from '../models/architecture.js';
import type { Var } from './autograd.js';
import { conv2d, maxPool2d } from './conv.js';
import { dense } from './dense.js';
import { convOutputSize } from './kernels/index.js';
import { flatten, relu, sigmoid, softmax, tanh } from './ops.js';
import type { Rng } from './rng.js';
import { sizeOf, type Tensor } from './tensor.js';

export interface Layer {
  readonly index: number;
  readonly spec: LayerSpec;
  /** Shape of one sample entering the layer. */
  readonly inputShape: readonly number[];
  /** Shape of one sample leaving the layer. */
  readonly outputShape: readonly number[];
  /** `layers.<index>.weight` / `.bias` → shape. Empty for layers without parameters. */
  readonly parameterShapes: ReadonlyMap<string, readonly number[]>;
  /** The layer on a batch; `param(name)` gives the graph node of one of its parameters. */
  apply(x: Var, param: (name: string) => Var): Var;
}

/** The layers of `architecture`, checked to compose: a problem is an InputError naming the layer field. */
export function buildLayers(architecture: Architecture): Layer[] {
  let shape: readonly number[] = [...architecture.inputShape];
  checkDims(shape, 'inputShape');
  const layers = architecture.layers.map((spec, index) => {
    const layer = buildLayer(spec, index, shape);
    shape = layer.outputShape;
    return layer;
  });
  if (sizeOf(shape) !== architecture.numClasses || shape.length !== 1) {
    throw new InputError(
      `the last layer gives [${shape.join(', ')}] values per sample, not the ${architecture.numClasses} classes`,
      { field: 'numClasses' },
    );
  }
  return layers;
}

/**
 * Initial parameters: weights followed by a ReLU get He-normal values (He et al. 2015), the others
 * Glorot-uniform (Glorot & Bengio 2010); biases start at 0. Drawn in layer order from `rng`.
 */
export function initialParameters(layers: readonly Layer[], rng: Rng): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const layer of layers) {
    const next = layers[layer.index + 1]?.spec.type;
    for (const [name, shape] of layer.parameterShapes) {
      const data = new Float32Array(sizeOf(shape));
      if (name.endsWith('.weight')) {
        const receptive = shape.length === 4 ? shape[2] * shape[3] : 1;
        const [fanIn, fanOut] =
          shape.length === 4 ? [shape[1] * receptive, shape[0] * receptive] : [shape[0], shape[1]];
        if (next === 'relu') {
          const std = Math.sqrt(2 / fanIn);
          for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
        } else {
          const limit = Math.sqrt(6 / (fanIn + fanOut));
          for (let i = 0; i < data.length; i++) data[i] = (2 * rng.float() - 1) * limit;
        }
      }
      weights.set(name, { shape: [...shape], data });
    }
  }
  return weights;
}

function buildLayer(spec: LayerSpec, index: number, inputShape: readonly number[]): Layer {
  const field = (name?: string) => ({
    field: name === undefined ? `layers[${index}]` : `layers[${index}].${name}`,
  });
  const fail = (problem: string, name?: string): never => {
    throw new InputError(`layer ${index} (${spec.type}): ${problem}`, field(name));
  };
  const parameterShapes = new Map<string, number[]>();
  const weightName = `layers.${index}.weight`;
  const biasName = `layers.${index}.bias`;
  const base = { index, spec, inputShape };

  switch (spec.type) {
    case 'dense': {
      checkDims([spec.inputs, spec.units], `layers[${index}]`);
      if (inputShape.length !== 1)
        fail(`needs a flat input but gets [${inputShape.join(', ')}]; add a flatten layer`);
      if (spec.inputs !== inputShape[0])
        fail(`expects ${spec.inputs} inputs but gets ${inputShape[0]}`, 'inputs');
      const hasBias = spec.bias !== false;
      parameterShapes.set(weightName, [spec.inputs, spec.units]);
      if (hasBias) parameterShapes.set(biasName, [spec.units]);
      return {
        ...base,
        outputShape: [spec.units],
        parameterShapes,
        apply: (x, param) => dense(x, param(weightName), hasBias ? param(biasName) : null),
      };
    }
    case 'conv2d': {
      const { inChannels, filters, kernelSize, stride, padding } = spec;
      checkDims([inChannels, filters, ...kernelSize, ...stride], `layers[${index}]`);
      if (!padding.every((p) => Number.isInteger(p) && p >= 0))
        fail('padding must be integers ≥ 0', 'padding');
      if (inputShape.length !== 3)
        fail(`needs a [channels, height, width] input but gets [${inputShape.join(', ')}]`);
      if (inChannels !== inputShape[0])
        fail(`expects ${inChannels} channels but gets ${inputShape[0]}`, 'inChannels');
      const outH = convOutputSize(inputShape[1], kernelSize[0], stride[0], padding[0]);
      const outW = convOutputSize(inputShape[2], kernelSize[1], stride[1], padding[1]);
      if (outH < 1 || outW < 1)
        fail(`kernel ${kernelSize.join('×')} does not fit [${inputShape.join(', ')}]`, 'kernelSize');
      const hasBias = spec.bias !== false;
      parameterShapes.set(weightName, [filters, inChannels, ...kernelSize]);
      if (hasBias) parameterShapes.set(biasName, [filters]);
      return {
        ...base,
        outputShape: [filters, outH, outW],
        parameterShapes,
        apply: (x, param) =>
          conv2d(x, param(weightName), hasBias ? param(biasName) : null, { stride, padding }),
      };
    }
    case 'maxpool2d': {
      const { poolSize, stride } = spec;
      checkDims([...poolSize, ...stride], `layers[${index}]`);
      if (inputShape.length !== 3)
        fail(`needs a [channels, height, width] input but gets [${inputShape.join(', ')}]`);
      const outH = convOutputSize(inputShape[1], poolSize[0], stride[0], 0);
      const outW = convOutputSize(inputShape[2], poolSize[1], stride[1], 0);
      if (outH < 1 || outW < 1)
        fail(`pool ${poolSize.join('×')} does not fit [${inputShape.join(', ')}]`, 'poolSize');
      return {
        ...base,
        outputShape: [inputShape[0], outH, outW],
        parameterShapes,
        apply: (x) => maxPool2d(x, poolSize, stride),
      };
    }
    case 'flatten':
      return { ...base, outputShape: [sizeOf(inputShape)], parameterShapes, apply: flatten };
    case 'relu':
      return { ...base, outputShape: inputShape, parameterShapes, apply: relu };
    case 'sigmoid':
      return { ...base, outputShape: inputShape, parameterShapes, apply: sigmoid };
    case 'tanh':
      return { ...base, outputShape: inputShape, parameterShapes, apply: tanh };
    case 'softmax':
      if (inputShape.length !== 1) fail(`needs a flat input but gets [${inputShape.join(', ')}]`);
      return { ...base, outputShape: inputShape, parameterShapes, apply: softmax };
    default:
      return fail(`unknown layer type "${(spec as { type: unknown }).type}"`, 'type');
  }
}

function checkDims(dims: readonly number[], field: string): void {
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InputError(`sizes must be positive integers, got [${dims.join(', ')}]`, { field });
  }
}

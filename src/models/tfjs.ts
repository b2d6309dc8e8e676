/**
 * Import of TensorFlow.js layers-format models — `model.json` plus binary weight shards, as written by
 * `model.save('file://…')` or `tensorflowjs_converter --output_format tfjs_layers_model` — into a
 * ModelSnapshot of kind 'sequential'. Accepted: Sequential models, and Functional models whose layers form a
 * single chain, built from the layers Antidote's engine runs; anything else is an InputError naming the layer.
 *
 * Layout: TF keeps images channels-last (NHWC) with HWIO conv kernels; Antidote is NCHW with OIHW kernels and
 * flattens in (c, h, w) order. So kernels are transposed, and the Dense layer after a Flatten gets its kernel
 * rows re-ordered from TF's flatten order to ours; the network then computes the same function on the
 * transposed input.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { readExistingFile } from '../data/files.js';
import { decodeElements, ELEMENT_BYTES, type ElementKind, toFloat32 } from '../data/typed.js';
import { sizeOf, type Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { Architecture, LayerSpec, ModelSnapshot } from './architecture.js';
import {
  layerOutputShape,
  parseJson,
  parseWithSchema,
  validateArchitecture,
  validateWeights,
} from './persistence.js';

/** One Keras layer of the chain, as model.json describes it. */
interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

type ImageFormat = 'channels_last' | 'channels_first';

/** Keras activation name → our layer (null: none needed). */
const ACTIVATIONS = new Map<unknown, LayerSpec | null>([
  ['linear', null],
  ['relu', { type: 'relu' }],
  ['sigmoid', { type: 'sigmoid' }],
  ['tanh', { type: 'tanh' }],
  ['softmax', { type: 'softmax' }],
]);

/** Reads a TF.js layers-format model (`model.json` and the shards beside it) as an Antidote model. */
export function importTfjsModel(modelJsonPath: string): ModelSnapshot {
  const file = modelJsonPath;
  const json = parseJson(readExistingFile(file), file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError('not a JSON object', { file });
  }
  const { modelTopology, weightsManifest } = json as Record<string, unknown>;
  if (modelTopology === undefined || weightsManifest === undefined) {
    throw new InputError('not a TF.js layers model (needs "modelTopology" and "weightsManifest")', { file });
  }
  const layers = chainOfLayers(modelTopology, file);
  const weights = readManifestWeights(weightsManifest, dirname(file), file);
  return convertChain(layers, weights, file);
}

// ---------------------------------------------------------------------------------------------------------
// Topology: the layers in order, from a Sequential config or a single-chain Functional graph.

const layerEntrySchema = z.looseObject({
  class_name: z.string(),
  name: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  inbound_nodes: z.array(z.unknown()).optional(),
});
type LayerEntry = z.infer<typeof layerEntrySchema>;

const topologySchema = z.looseObject({
  class_name: z.string(),
  // Keras ≤ 2.2 stored a Sequential model's layer list directly as its config.
  config: z.union([z.array(layerEntrySchema), z.looseObject({ layers: z.array(layerEntrySchema) })]),
});

function chainOfLayers(topology: unknown, file: string): KerasLayer[] {
  // tensorflowjs_converter nests the Keras model under model_config; tfjs-layers writes it directly.
  const nested = (topology as { model_config?: unknown } | null)?.model_config;
  const root = nested === undefined ? 'modelTopology' : 'modelTopology.model_config';
  const model = parseWithSchema(topologySchema, nested ?? topology, file, root);
  const entries = Array.isArray(model.config) ? model.config : model.config.layers;
  if (entries.length === 0) throw new InputError('the model has no layers', { file, field: root });
  const layers = entries.map((entry, i) => ({
    className: entry.class_name,
    name: typeof entry.config?.name === 'string' ? entry.config.name : (entry.name ?? `#${i}`),
    config: entry.config ?? {},
  }));
  if (model.class_name === 'Sequential') return layers;
  if (model.class_name === 'Model' || model.class_name === 'Functional') {
    return functionalChain(entries, layers, file);
  }
  throw new InputError(
    `model class ${model.class_name} is not supported (need Sequential, or a Functional model that is one chain)`,
    { file, field: `${root}.class_name` },
  );
}

/** Orders a Functional model's layers along its single input → output path; any branching is an error. */
function functionalChain(entries: LayerEntry[], layers: KerasLayer[], file: string): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = new Map<string, string[]>(layers.map((l) => [l.name, []]));
  const starts: KerasLayer[] = [];
  entries.forEach((entry, i) => {
    const layer = layers[i];
    const nodes = entry.inbound_nodes ?? [];
    const fail = (problem: string): InputError => new InputError(problem, { file, field: layer.name });
    if (nodes.length > 1)
      throw fail(
        `${layer.className} layer is called ${nodes.length} times (shared layers are not supported)`,
      );
    const sources = nodes.length === 0 ? [] : inboundLayerNames(nodes[0]);
    if (sources.length > 1)
      throw fail(
        `${layer.className} layer has ${sources.length} inputs; only single-chain models are supported`,
      );
    if (sources.length === 0) starts.push(layer);
    for (const source of sources) {
      const list = consumers.get(source);
      if (list === undefined) throw fail(`input comes from unknown layer "${source}"`);
      list.push(layer.name);
    }
  });
  if (starts.length !== 1) {
    throw new InputError(
      `the model has ${starts.length} input layers; only single-chain models are supported`,
      { file },
    );
  }
  const chain = [starts[0]];
  for (let next = consumers.get(starts[0].name)!; next.length > 0; ) {
    if (next.length > 1) {
      throw new InputError(`output feeds ${next.length} layers; only single-chain models are supported`, {
        file,
        field: chain[chain.length - 1].name,
      });
    }
    chain.push(byName.get(next[0])!);
    next = consumers.get(next[0])!;
  }
  if (chain.length !== layers.length) {
    const off = layers.find((l) => !chain.includes(l))!;
    throw new InputError('layer is not on the chain from the input to the output', { file, field: off.name });
  }
  return chain;
}

/** The layers feeding one inbound node: Keras 2 `[[name, node, tensor, kwargs], …]`, Keras 3 `{args: [tensor…]}`. */
function inboundLayerNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.map((input) => String(Array.isArray(input) ? input[0] : input));
  const names: string[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null) {
      const history = (value as { config?: { keras_history?: unknown } }).config?.keras_history;
      if (Array.isArray(history)) names.push(String(history[0]));
    }
  };
  collect((node as { args?: unknown } | null)?.args);
  return names;
}

// ---------------------------------------------------------------------------------------------------------
// Weights: each manifest group's shards concatenated, cut into its weights in order, dequantized to float32.

const manifestSchema = z.array(
  z.looseObject({
    paths: z.array(z.string()).min(1),
    weights: z.array(
      z.looseObject({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.string(),
        group: z.string().optional(),
        quantization: z
          .looseObject({
            dtype: z.enum(['uint8', 'uint16', 'float16']),
            scale: z.number().optional(),
            min: z.number().optional(),
            original_dtype: z.string().optional(),
          })
          .optional(),
      }),
    ),
  }),
);
/** One weight group of model.json's `weightsManifest`: its shard files and the weights they hold, in order. */
export type TfjsManifestGroup = z.infer<typeof manifestSchema>[number];
type ManifestEntry = TfjsManifestGroup['weights'][number];

/** Checks model.json's `weightsManifest` (InputError naming the field when it does not fit). */
export function parseTfjsManifest(manifest: unknown, file: string): TfjsManifestGroup[] {
  return parseWithSchema(manifestSchema, manifest, file, 'weightsManifest');
}

const STORED_KIND: Record<string, ElementKind> = {
  float32: 'f4',
  int32: 'i4',
  uint8: 'u1',
  uint16: 'u2',
  float16: 'f2',
};

interface ManifestWeight {
  shape: number[];
  data: Float32Array;
}

function readManifestWeights(manifest: unknown, dir: string, file: string): Map<string, ManifestWeight> {
  const groups = parseTfjsManifest(manifest, file);
  const weights = new Map<string, ManifestWeight>();
  for (const [g, group] of groups.entries()) {
    const bytes = readTfjsShards(group.paths, dir, file, `weightsManifest[${g}].paths`);
    const kinds = group.weights.map((w, i) => storedKind(w, file, `weightsManifest[${g}].weights[${i}]`));
    const needed = group.weights.reduce((sum, w, i) => sum + sizeOf(w.shape) * ELEMENT_BYTES[kinds[i]], 0);
    if (bytes.length !== needed) {
      throw new InputError(
        `the shards of weight group ${g} (${group.paths.join(', ')}) hold ${bytes.length} bytes but its ` +
          `weights need ${needed} (${bytes.length < needed ? 'truncated' : 'extra bytes'})`,
        { file, field: `weightsManifest[${g}]` },
      );
    }
    let offset = 0;
    group.weights.forEach((w, i) => {
      const count = sizeOf(w.shape);
      const data = dequantize(w, decodeElements(bytes, offset, count, kinds[i]), file);
      offset += count * ELEMENT_BYTES[kinds[i]];
      if (w.group === 'optimizer') return; // optimizer state saved alongside the model; not part of it
      if (weights.has(w.name))
        throw new InputError('weight is listed twice in the manifest', { file, field: w.name });
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new InputError(`value ${data[bad]} at index ${bad} is not finite`, { file, field: w.name });
      weights.set(w.name, { shape: w.shape, data });
    });
  }
  return weights;
}

function storedKind(w: ManifestEntry, file: string, field: string): ElementKind {
  const kind = STORED_KIND[w.quantization?.dtype ?? w.dtype];
  if (kind === undefined || (w.dtype !== 'float32' && w.dtype !== 'int32')) {
    throw new InputError(`weight "${w.name}" has dtype ${w.dtype}; only float32 and int32 are supported`, {
      file,
      field,
    });
  }
  return kind;
}

/** Quantized weights (tfjs-converter `--quantize_*`): q · scale + min for integer codes, float16 as is. */
function dequantize(w: ManifestEntry, stored: ReturnType<typeof decodeElements>, file: string): Float32Array {
  const values = toFloat32(stored);
  const q = w.quantization;
  if (q === undefined || q.dtype === 'float16') return values;
  if (q.scale === undefined || q.min === undefined) {
    throw new InputError(`${q.dtype} quantization needs "scale" and "min"`, { file, field: w.name });
  }
  const roundToInt = (q.original_dtype ?? w.dtype) === 'int32';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] * q.scale + q.min;
    values[i] = roundToInt ? Math.round(v) : v;
  }
  return values;
}

/** Concatenates a group's shard files, which must lie in model.json's folder (`dir`) or below it. */
export function readTfjsShards(paths: string[], dir: string, file: string, field: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const shard = resolve(dir, path);
    const rel = relative(dir, shard);
    if (isAbsolute(path) || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new InputError(`shard path "${path}" leaves the model's folder`, { file, field });
    }
    parts.push(readExistingFile(shard));
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Conversion: Keras layers → Antidote LayerSpecs and parameters, tracking the activation shape (ours, NCHW).

interface Conversion {
  file: string;
  /** Manifest weights not yet claimed by a layer. */
  unclaimed: Map<string, ManifestWeight>;
  imageFormat: ImageFormat;
  layers: LayerSpec[];
  /** The Keras layer each of `layers` came from, for error messages. */
  origins: KerasLayer[];
  params: Map<string, Tensor>;
  shape: number[];
  /** Set by a Flatten of an image: for each of our flat indices, TF's flat index, until the next Dense. */
  rowOrder?: Int32Array;
}

function convertChain(
  layers: KerasLayer[],
  weights: Map<string, ManifestWeight>,
  file: string,
): ModelSnapshot {
  const imageFormat = imageFormatOf(layers, file);
  const inputShape = inputShapeOf(layers[0], imageFormat, file);
  const c: Conversion = {
    file,
    unclaimed: new Map(weights),
    imageFormat,
    layers: [],
    origins: [],
    params: new Map(),
    shape: inputShape,
  };
  for (const [i, layer] of layers.entries()) convertLayer(c, layer, i);
  const [leftover] = c.unclaimed.keys();
  if (leftover !== undefined) {
    throw new InputError(`weight does not belong to any layer of the model (${c.unclaimed.size} such)`, {
      file,
      field: leftover,
    });
  }
  rewriteBinarySigmoid(c);
  const softmax = c.layers.findIndex((l) => l.type === 'softmax');
  if (softmax >= 0 && softmax !== c.layers.length - 1) {
    throw new InputError('softmax is only supported on the last layer', {
      file,
      field: c.origins[softmax].name,
    });
  }
  if (c.shape.length !== 1 || c.shape[0] < 2) {
    throw new InputError(
      `the model outputs shape [${c.shape.join(', ')}]; a classifier needs a vector of at least 2 class scores`,
      { file },
    );
  }
  const lastDense = c.layers.map((l) => l.type).lastIndexOf('dense');
  const architecture: Architecture = {
    format: 'antidote-model',
    version: 1,
    kind: 'sequential',
    inputShape,
    numClasses: c.shape[0],
    layers: c.layers,
    ...(lastDense > 0 ? { embeddingLayer: lastDense - 1 } : {}),
  };
  validateArchitecture(architecture, file);
  validateWeights(architecture, c.params, file);
  return { architecture, weights: c.params };
}

/** One converter per supported Keras layer class. */
const CONVERTERS = new Map<string, (c: Conversion, layer: KerasLayer, index: number) => void>([
  ['InputLayer', convertInputLayer],
  ['Dense', convertDense],
  ['Conv2D', convertConv2d],
  ['MaxPooling2D', convertMaxPool],
  ['Flatten', convertFlatten],
  ['Activation', (c, layer) => addActivation(c, layer, layer.config.activation)],
  ['ReLU', convertRelu],
  ['Softmax', convertSoftmax],
  ['Dropout', () => {}], // identity at inference
]);

function convertLayer(c: Conversion, layer: KerasLayer, index: number): void {
  const convert = CONVERTERS.get(layer.className);
  if (convert === undefined) {
    const supported = [...CONVERTERS.keys()].join(', ');
    throw layerError(c, layer, `layer class ${layer.className} is not supported (supported: ${supported})`);
  }
  convert(c, layer, index);
}

function convertInputLayer(c: Conversion, layer: KerasLayer, index: number): void {
  if (index !== 0) throw layerError(c, layer, 'an InputLayer is only supported first');
}

/** Only the plain ReLU: no cap, no leak, no threshold. */
function convertRelu(c: Conversion, layer: KerasLayer): void {
  const plain = { max_value: null, negative_slope: 0, threshold: 0 };
  for (const [key, expected] of Object.entries(plain)) {
    const value = layer.config[key] ?? expected;
    if (value !== expected)
      throw layerError(c, layer, `${key} ${JSON.stringify(value)} is not supported`, key);
  }
  push(c, layer, { type: 'relu' });
}

function convertSoftmax(c: Conversion, layer: KerasLayer): void {
  const axis = layer.config.axis ?? -1;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw layerError(c, layer, `axis ${JSON.stringify(axis)} is not supported (only -1)`, 'axis');
  }
  push(c, layer, { type: 'softmax' });
}

function convertDense(c: Conversion, layer: KerasLayer): void {
  if (c.shape.length !== 1) {
    throw layerError(
      c,
      layer,
      `input of shape [${c.shape.join(', ')}] is not a vector (add a Flatten before it)`,
    );
  }
  const inputs = c.shape[0];
  const units = positiveInt(c, layer, 'units');
  const bias = flag(c, layer, 'use_bias', true);
  const kernel = claimWeight(c, layer, 'kernel', [inputs, units]);
  const weight = c.rowOrder === undefined ? kernel : permuteRows(kernel, c.rowOrder, units);
  c.rowOrder = undefined;
  const index = push(c, layer, { type: 'dense', inputs, units, bias });
  c.params.set(`layers.${index}.weight`, { shape: [inputs, units], data: weight });
  if (bias)
    c.params.set(`layers.${index}.bias`, { shape: [units], data: claimWeight(c, layer, 'bias', [units]) });
  addActivation(c, layer, layer.config.activation);
}

function convertConv2d(c: Conversion, layer: KerasLayer): void {
  const [inChannels, height, width] = imageShape(c, layer);
  const filters = positiveInt(c, layer, 'filters');
  const kernelSize = intPair(c, layer, 'kernel_size');
  const stride = intPair(c, layer, 'strides', [1, 1]);
  const dilation = intPair(c, layer, 'dilation_rate', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) {
    throw layerError(c, layer, `dilation_rate [${dilation.join(', ')}] is not supported`, 'dilation_rate');
  }
  if ((layer.config.groups ?? 1) !== 1) {
    throw layerError(c, layer, `groups ${JSON.stringify(layer.config.groups)} is not supported`, 'groups');
  }
  const padding = paddingFor(c, layer, [height, width], kernelSize, stride);
  const bias = flag(c, layer, 'use_bias', true);
  const [kh, kw] = kernelSize;
  const kernel = claimWeight(c, layer, 'kernel', [kh, kw, inChannels, filters]);
  const index = push(c, layer, { type: 'conv2d', inChannels, filters, kernelSize, stride, padding, bias });
  c.params.set(`layers.${index}.weight`, {
    shape: [filters, inChannels, kh, kw],
    data: hwioToOihw(kernel, kh, kw, inChannels, filters),
  });
  if (bias)
    c.params.set(`layers.${index}.bias`, {
      shape: [filters],
      data: claimWeight(c, layer, 'bias', [filters]),
    });
  addActivation(c, layer, layer.config.activation);
}

function convertMaxPool(c: Conversion, layer: KerasLayer): void {
  const [, height, width] = imageShape(c, layer);
  const poolSize = intPair(c, layer, 'pool_size', [2, 2]);
  const stride = intPair(c, layer, 'strides', poolSize);
  const padding = paddingFor(c, layer, [height, width], poolSize, stride);
  if (padding[0] !== 0 || padding[1] !== 0) {
    throw layerError(
      c,
      layer,
      `padding "same" that pads input [${height}, ${width}] is not supported`,
      'padding',
    );
  }
  push(c, layer, { type: 'maxpool2d', poolSize, stride });
}

function convertFlatten(c: Conversion, layer: KerasLayer): void {
  if (c.shape.length === 1) return; // flattening a vector changes nothing
  if (c.shape.length !== 3)
    throw layerError(c, layer, `input of shape [${c.shape.join(', ')}] is not supported`);
  // The axes of TF's array, named by our axes (0 = c, 1 = h, 2 = w). A channels_first Flatten moves the
  // channel axis last before flattening (Keras keeps weights portable across data formats that way).
  const axes = c.imageFormat === 'channels_last' ? [1, 2, 0] : [0, 1, 2];
  const tfOrder = option(c, layer, 'data_format', ['channels_last', 'channels_first'], 'channels_last');
  c.rowOrder = flattenRowOrder(c.shape, tfOrder === 'channels_first' ? [axes[1], axes[2], axes[0]] : axes);
  push(c, layer, { type: 'flatten' });
}

function addActivation(c: Conversion, layer: KerasLayer, activation: unknown): void {
  const name = activation ?? 'linear';
  const spec = ACTIVATIONS.get(name);
  if (spec === undefined) {
    throw layerError(
      c,
      layer,
      `activation ${JSON.stringify(name)} is not supported (supported: ${[...ACTIVATIONS.keys()].join(', ')})`,
      'activation',
    );
  }
  if (spec !== null) push(c, layer, spec);
}

/** Appends a layer, advancing the tracked shape; returns its index. */
function push(c: Conversion, origin: KerasLayer, spec: LayerSpec): number {
  try {
    c.shape = layerOutputShape(spec, c.shape);
  } catch (error) {
    if (error instanceof InputError) throw layerError(c, origin, error.problem);
    throw error;
  }
  c.layers.push(spec);
  c.origins.push(origin);
  return c.layers.length - 1;
}

/**
 * A binary classifier's Dense(1) + sigmoid becomes Dense(2) + softmax with logits [0, z]:
 * softmax([0, z]) = [1 − σ(z), σ(z)], the same probability with one score per class.
 */
function rewriteBinarySigmoid(c: Conversion): void {
  const n = c.layers.length;
  if (n < 2) return;
  const dense = c.layers[n - 2];
  if (c.layers[n - 1].type !== 'sigmoid' || dense.type !== 'dense' || dense.units !== 1) return;
  const weight = c.params.get(`layers.${n - 2}.weight`)!;
  const widened = new Float32Array(dense.inputs * 2);
  for (let r = 0; r < dense.inputs; r++) widened[r * 2 + 1] = weight.data[r];
  c.params.set(`layers.${n - 2}.weight`, { shape: [dense.inputs, 2], data: widened });
  const bias = c.params.get(`layers.${n - 2}.bias`);
  if (bias !== undefined)
    c.params.set(`layers.${n - 2}.bias`, { shape: [2], data: Float32Array.of(0, bias.data[0]) });
  c.layers[n - 2] = { ...dense, units: 2 };
  c.layers[n - 1] = { type: 'softmax' };
  c.shape = [2];
}

/**
 * Finds the layer's parameter in the manifest: `<layer>/<param>`, possibly under a model scope
 * (`sequential/<layer>/<param>`), and checks its TF shape. It is then claimed (no other layer can use it).
 */
function claimWeight(c: Conversion, layer: KerasLayer, param: string, tfShape: number[]): Float32Array {
  const exact = `${layer.name}/${param}`;
  const matches = c.unclaimed.has(exact)
    ? [exact]
    : [...c.unclaimed.keys()].filter((n) => n.endsWith(`/${exact}`));
  if (matches.length === 0) {
    throw new InputError(
      `the manifest has no weight "${exact}" for ${layer.className} layer "${layer.name}"`,
      { file: c.file, field: exact },
    );
  }
  if (matches.length > 1) {
    throw new InputError(`weights ${matches.map((m) => `"${m}"`).join(', ')} are ambiguous`, {
      file: c.file,
      field: exact,
    });
  }
  const w = c.unclaimed.get(matches[0])!;
  if (w.shape.length !== tfShape.length || w.shape.some((d, i) => d !== tfShape[i])) {
    throw new InputError(
      `shape [${w.shape.join(', ')}] does not match ${layer.className} layer "${layer.name}", ` +
        `which needs [${tfShape.join(', ')}]`,
      { file: c.file, field: matches[0] },
    );
  }
  c.unclaimed.delete(matches[0]);
  return w.data;
}

// ---------------------------------------------------------------------------------------------------------
// Layout helpers.

/** The model's image layout: what its Conv2D/MaxPooling2D layers say (Keras default: channels_last). */
function imageFormatOf(layers: KerasLayer[], file: string): ImageFormat {
  const spatial = layers.filter((l) => l.className === 'Conv2D' || l.className === 'MaxPooling2D');
  const formats = new Set(spatial.map((l) => l.config.data_format ?? 'channels_last'));
  for (const f of formats) {
    if (f !== 'channels_last' && f !== 'channels_first') {
      const layer = spatial.find((l) => (l.config.data_format ?? 'channels_last') === f)!;
      throw new InputError(`data_format ${JSON.stringify(f)} is not supported`, {
        file,
        field: `${layer.name}.data_format`,
      });
    }
  }
  if (formats.size > 1)
    throw new InputError('layers mix channels_last and channels_first data formats', { file });
  return formats.has('channels_first') ? 'channels_first' : 'channels_last';
}

/** The input shape without the batch axis, in our layout ([h, w, c] → [c, h, w] for channels_last images). */
function inputShapeOf(first: KerasLayer, format: ImageFormat, file: string): number[] {
  const key = 'batch_input_shape' in first.config ? 'batch_input_shape' : 'batch_shape';
  const batchShape = first.config[key];
  const field = `${first.name}.${key}`;
  if (!Array.isArray(batchShape)) {
    throw new InputError(
      'the first layer does not record the input shape (batch_input_shape or batch_shape)',
      { file, field: first.name },
    );
  }
  const shape = batchShape.slice(1);
  if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InputError(`input shape ${JSON.stringify(batchShape)} must have fixed positive sizes`, {
      file,
      field,
    });
  }
  if (shape.length === 1) return shape;
  if (shape.length !== 3) {
    throw new InputError(`input shape ${JSON.stringify(batchShape)} is neither a vector nor an image`, {
      file,
      field,
    });
  }
  return format === 'channels_last' ? [shape[2], shape[0], shape[1]] : shape;
}

/**
 * Symmetric zero padding equal to TF's: 'valid' is none; 'same' pads max((out − 1)·s + k − n, 0) in total with
 * out = ⌈n / s⌉, putting the odd element after — which a symmetric [p, p] cannot express, so that is an error.
 */
function paddingFor(
  c: Conversion,
  layer: KerasLayer,
  size: number[],
  kernel: [number, number],
  stride: [number, number],
): [number, number] {
  const mode = option(c, layer, 'padding', ['valid', 'same'], 'valid');
  if (mode === 'valid') return [0, 0];
  const pads = [0, 1].map((a) => {
    const total = Math.max((Math.ceil(size[a] / stride[a]) - 1) * stride[a] + kernel[a] - size[a], 0);
    if (total % 2 !== 0) {
      throw layerError(
        c,
        layer,
        `padding "same" with kernel ${kernel[a]} and stride ${stride[a]} on size ${size[a]} pads ` +
          `asymmetrically (${(total - 1) / 2} before, ${(total + 1) / 2} after), which is not supported`,
        'padding',
      );
    }
    return total / 2;
  });
  return [pads[0], pads[1]];
}

/** For each index of our (c, h, w) flatten, the index TF's flatten gives the same element (axes in TF order). */
function flattenRowOrder(shape: number[], tfAxes: number[]): Int32Array | undefined {
  if (tfAxes.every((a, i) => a === i)) return undefined;
  const strides = [0, 0, 0];
  let stride = 1;
  for (let k = 2; k >= 0; k--) {
    strides[tfAxes[k]] = stride;
    stride *= shape[tfAxes[k]];
  }
  const [channels, height, width] = shape;
  const order = new Int32Array(sizeOf(shape));
  let r = 0;
  for (let ch = 0; ch < channels; ch++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) order[r++] = ch * strides[0] + y * strides[1] + x * strides[2];
    }
  }
  return order;
}

function permuteRows(kernel: Float32Array, rowOrder: Int32Array, columns: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let r = 0; r < rowOrder.length; r++) {
    out.set(kernel.subarray(rowOrder[r] * columns, (rowOrder[r] + 1) * columns), r * columns);
  }
  return out;
}

/** TF conv kernel [kh, kw, in, out] → ours [out, in, kh, kw]. */
function hwioToOihw(kernel: Float32Array, kh: number, kw: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < outC; o++)
          out[((o * inC + i) * kh + y) * kw + x] = kernel[((y * kw + x) * inC + i) * outC + o];
      }
    }
  }
  return out;
}

function imageShape(c: Conversion, layer: KerasLayer): number[] {
  if (c.shape.length !== 3) {
    throw layerError(
      c,
      layer,
      `input of shape [${c.shape.join(', ')}] is not an image (height, width, channels)`,
    );
  }
  return c.shape;
}

// ---------------------------------------------------------------------------------------------------------
// Reading layer config fields.

function layerError(c: Conversion, layer: KerasLayer, problem: string, key?: string): InputError {
  return new InputError(`${layer.className}: ${problem}`, {
    file: c.file,
    field: key === undefined ? layer.name : `${layer.name}.${key}`,
  });
}

function positiveInt(c: Conversion, layer: KerasLayer, key: string): number {
  const value = layer.config[key];
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw layerError(c, layer, `${key} ${JSON.stringify(value)} is not a positive integer`, key);
}

/** A size or [rows, cols] pair (Keras accepts either and usually saves the pair). */
function intPair(
  c: Conversion,
  layer: KerasLayer,
  key: string,
  fallback?: [number, number],
): [number, number] {
  const value = layer.config[key] ?? fallback;
  const pair = typeof value === 'number' ? [value, value] : value;
  if (Array.isArray(pair) && pair.length === 2 && pair.every((d) => Number.isInteger(d) && d > 0)) {
    return [pair[0], pair[1]];
  }
  throw layerError(
    c,
    layer,
    `${key} ${JSON.stringify(value)} is not a positive integer or pair of them`,
    key,
  );
}

function flag(c: Conversion, layer: KerasLayer, key: string, fallback: boolean): boolean {
  const value = layer.config[key] ?? fallback;
  if (typeof value === 'boolean') return value;
  throw layerError(c, layer, `${key} ${JSON.stringify(value)} is not true or false`, key);
}

function option<T extends string>(
  c: Conversion,
  layer: KerasLayer,
  key: string,
  allowed: T[],
  fallback: T,
): T {
  const value = layer.config[key] ?? fallback;
  if (allowed.includes(value as T)) return value as T;
  throw layerError(
    c,
    layer,
    `${key} ${JSON.stringify(value)} is not supported (supported: ${allowed.join(', ')})`,
    key,
  );
}

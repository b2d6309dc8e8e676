import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import type { InputError } from '../../src/errors.js';
import { classifierFromSnapshot } from '../../src/models/classifier.js';
import { importTfjsModel } from '../../src/models/tfjs.js';
import { inputErrorOf } from './input-error.js';
import {
  type Activation,
  forwardAntidote,
  forwardTf,
  type KerasLayerDef,
  type TfWeight,
} from './naive-forward.js';

const importErrorOf = (file: string): InputError => inputErrorOf(() => importTfjsModel(file));

/** A Keras model described the way model.json does, with its weights (TF layouts). */
class TfModel {
  readonly layers: KerasLayerDef[] = [];
  readonly weights: TfWeight[] = [];
  constructor(
    private readonly rng: Rng,
    readonly inputShape: number[],
  ) {}

  /** Adds a layer; `params` names its weights and their shapes, filled with seeded normals. */
  add(className: string, config: Record<string, unknown>, params: Record<string, number[]> = {}): this {
    this.layers.push({ class_name: className, config });
    for (const [param, shape] of Object.entries(params)) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = this.rng.normal() * 0.5;
      this.weights.push({ name: `${config.name}/${param}`, shape, data });
    }
    return this;
  }
}

/** The parts of model.json the tests edit. */
interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}
interface TopologyJson {
  class_name?: string;
  config?: { layers: LayerJson[] };
  model_config?: TopologyJson;
}
interface ModelJson {
  modelTopology: TopologyJson;
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: unknown; dtype: string; group?: string; quantization?: object }[];
  }[];
}

type Style = 'sequential' | 'functional-keras2' | 'functional-keras3';

interface WriteOptions {
  style?: Style;
  shards?: number;
  /** Last chance to break model.json (error tests). */
  edit?: (json: ModelJson) => void;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'antidote-tfjs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes model.json and the weights, all float32 little-endian, cut into `shards` files mid-value. */
async function writeTfjs(model: TfModel, options: WriteOptions = {}): Promise<string> {
  const { style = 'sequential', shards = 2 } = options;
  const all = bytesOf(model.weights);
  const paths: string[] = [];
  for (let s = 0; s < shards; s++) {
    const name = `group1-shard${s + 1}of${shards}.bin`;
    const begin = Math.floor((all.length * s) / shards) + (s > 0 ? 1 : 0);
    const end = s === shards - 1 ? all.length : Math.floor((all.length * (s + 1)) / shards) + 1;
    await writeFile(join(dir, name), all.subarray(begin, end));
    paths.push(name);
  }
  const json: ModelJson & Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    modelTopology: topology(model, style),
    weightsManifest: [
      { paths, weights: model.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) },
    ],
  };
  options.edit?.(json);
  const file = join(dir, 'model.json');
  await writeFile(file, JSON.stringify(json));
  return file;
}

function topology(model: TfModel, style: Style): Record<string, unknown> {
  if (style === 'sequential') {
    return {
      class_name: 'Sequential',
      config: { name: 'sequential_1', layers: model.layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    };
  }
  const keras3 = style === 'functional-keras3';
  const input = {
    name: 'input_1',
    [keras3 ? 'batch_shape' : 'batch_input_shape']: [null, ...model.inputShape],
  };
  const entries = [{ class_name: 'InputLayer', config: input }, ...model.layers].map((layer, i, all) => {
    const name = layer.config.name as string;
    const previous = i === 0 ? undefined : (all[i - 1].config.name as string);
    const inbound =
      previous === undefined
        ? []
        : keras3
          ? [
              {
                args: [{ class_name: '__keras_tensor__', config: { keras_history: [previous, 0, 0] } }],
                kwargs: {},
              },
            ]
          : [[[previous, 0, 0, {}]]];
    const extra = keras3 ? { module: 'keras.layers', registered_name: null } : {};
    return { ...extra, class_name: layer.class_name, config: layer.config, name, inbound_nodes: inbound };
  });
  const config = {
    name: 'model',
    layers: entries,
    input_layers: [['input_1', 0, 0]],
    output_layers: [[model.layers[model.layers.length - 1].config.name, 0, 0]],
  };
  // tensorflowjs_converter (from Keras) nests the model under model_config.
  return {
    keras_version: keras3 ? '3.6.0' : '2.15.0',
    backend: 'tensorflow',
    model_config: { class_name: 'Functional', config },
  };
}

/** The weights' float32 values back to back, as TF.js stores them. */
function bytesOf(weights: TfWeight[]): Uint8Array {
  const out = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let at = 0;
  for (const w of weights) {
    out.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  return out;
}

/** NHWC sample → NCHW. */
function toChannelsFirst(x: Activation): Float32Array {
  const [h, w, c] = x.shape;
  const out = new Float32Array(x.data.length);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let ci = 0; ci < c; ci++) out[(ci * h + y) * w + xx] = x.data[(y * w + xx) * c + ci];
    }
  }
  return out;
}

function randomSample(rng: Rng, shape: number[]): Activation {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { shape, data };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Imports the model and checks that our forward on NCHW inputs equals TF's on the same NHWC inputs. */
async function expectSameFunction(
  model: TfModel,
  rng: Rng,
  options: WriteOptions & { channelsFirstInput?: boolean } = {},
): Promise<void> {
  const snapshot = importTfjsModel(await writeTfjs(model, options));
  for (let s = 0; s < 4; s++) {
    const x = randomSample(rng, model.inputShape);
    const ours = model.inputShape.length === 3 && !options.channelsFirstInput ? toChannelsFirst(x) : x.data;
    const expected = forwardTf(model.layers, model.weights, x);
    expect(maxAbsDiff(forwardAntidote(snapshot, ours), expected)).toBeLessThan(1e-5);
  }
}

function mlp(seed: number): TfModel {
  return new TfModel(new Rng(seed), [7])
    .add(
      'Dense',
      { name: 'dense_Dense1', units: 16, activation: 'relu', use_bias: true, batch_input_shape: [null, 7] },
      { kernel: [7, 16], bias: [16] },
    )
    .add('Dropout', { name: 'dropout_Dropout1', rate: 0.3 })
    .add(
      'Dense',
      { name: 'dense_Dense2', units: 10, activation: 'tanh', use_bias: false },
      { kernel: [16, 10] },
    )
    .add(
      'Dense',
      { name: 'dense_Dense3', units: 4, activation: 'softmax', use_bias: true },
      { kernel: [10, 4], bias: [4] },
    );
}

/** Conv2D same (stride 1 and 2) and valid, a non-square kernel and image, MaxPooling2D, Flatten, Dense, softmax. */
function convNet(seed: number): TfModel {
  const conv = (
    name: string,
    filters: number,
    k: number[],
    s: number,
    padding: string,
    activation: string,
  ) => ({
    name,
    filters,
    kernel_size: k,
    strides: [s, s],
    padding,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation,
    use_bias: true,
  });
  return new TfModel(new Rng(seed), [10, 7, 2])
    .add('InputLayer', { name: 'input1', batch_input_shape: [null, 10, 7, 2], dtype: 'float32' })
    .add('Conv2D', conv('conv2d_Conv2D1', 4, [3, 3], 1, 'same', 'relu'), { kernel: [3, 3, 2, 4], bias: [4] })
    .add('MaxPooling2D', { name: 'max_pooling2d_1', pool_size: [2, 2], strides: null, padding: 'valid' })
    .add('Conv2D', conv('conv2d_Conv2D2', 5, [3, 3], 2, 'same', 'relu'), { kernel: [3, 3, 4, 5], bias: [5] })
    .add('Conv2D', conv('conv2d_Conv2D3', 3, [2, 1], 1, 'valid', 'tanh'), { kernel: [2, 1, 5, 3], bias: [3] })
    .add('Flatten', { name: 'flatten_Flatten1' })
    .add('Dense', { name: 'dense_Dense1', units: 8, activation: 'relu' }, { kernel: [12, 8], bias: [8] })
    .add('Dense', { name: 'dense_Dense2', units: 3 }, { kernel: [8, 3], bias: [3] })
    .add('Softmax', { name: 'softmax_Softmax1', axis: -1 });
}

const convNet1 = (): TfModel => convNet(1);

describe('importTfjsModel: the imported model computes the TF function', () => {
  it.each([1, 2, 3])('dense MLP (seed %i)', async (seed) => {
    const model = mlp(seed);
    const snapshot = importTfjsModel(await writeTfjs(model));
    expect(snapshot.architecture).toMatchObject({
      kind: 'sequential',
      inputShape: [7],
      numClasses: 4,
      embeddingLayer: 3,
      layers: [
        { type: 'dense', inputs: 7, units: 16, bias: true },
        { type: 'relu' },
        { type: 'dense', inputs: 16, units: 10, bias: false },
        { type: 'tanh' },
        { type: 'dense', inputs: 10, units: 4, bias: true },
        { type: 'softmax' },
      ],
    });
    await expectSameFunction(model, new Rng(seed + 100));
  });

  it.each([4, 5, 6])('channels_last conv net (seed %i)', async (seed) => {
    const model = convNet(seed);
    const snapshot = importTfjsModel(await writeTfjs(model, { shards: 3 }));
    expect(snapshot.architecture.inputShape).toEqual([2, 10, 7]);
    expect(snapshot.architecture.layers.slice(0, 4)).toEqual([
      {
        type: 'conv2d',
        inChannels: 2,
        filters: 4,
        kernelSize: [3, 3],
        stride: [1, 1],
        padding: [1, 1],
        bias: true,
      },
      { type: 'relu' },
      { type: 'maxpool2d', poolSize: [2, 2], stride: [2, 2] },
      {
        type: 'conv2d',
        inChannels: 4,
        filters: 5,
        kernelSize: [3, 3],
        stride: [2, 2],
        padding: [1, 1],
        bias: true,
      },
    ]);
    await expectSameFunction(model, new Rng(seed + 100));
  });

  it.each<Style>(['functional-keras2', 'functional-keras3'])('%s single-chain model', async (style) => {
    const model = convNet(7);
    model.layers.shift(); // the writer adds the InputLayer itself
    if (style === 'functional-keras3') {
      for (const w of model.weights) w.name = `functional/${w.name}`; // Keras 3 scopes weights by model
    }
    await expectSameFunction(model, new Rng(8), { style });
  });

  it.each(['channels_first', 'channels_last'])(
    'channels_first conv net, Flatten data_format %s',
    async (flattenFormat) => {
      const rng = new Rng(9);
      const cf = { data_format: 'channels_first' };
      const model = new TfModel(rng, [3, 6, 5])
        .add(
          'Conv2D',
          {
            name: 'c1',
            filters: 4,
            kernel_size: 3,
            padding: 'valid',
            batch_input_shape: [null, 3, 6, 5],
            ...cf,
          },
          { kernel: [3, 3, 3, 4], bias: [4] },
        )
        .add('MaxPooling2D', { name: 'p1', pool_size: [2, 1], padding: 'valid', ...cf })
        .add('ReLU', { name: 're_lu', max_value: null, negative_slope: 0, threshold: 0 })
        .add('Flatten', { name: 'f1', data_format: flattenFormat })
        .add('Dense', { name: 'd1', units: 3, activation: 'softmax' }, { kernel: [24, 3], bias: [3] });
      const snapshot = importTfjsModel(await writeTfjs(model));
      expect(snapshot.architecture.inputShape).toEqual([3, 6, 5]);
      await expectSameFunction(model, rng, { channelsFirstInput: true });
    },
  );

  it("'same' padding that needs none (stride 2, kernel 1; pooling that fits) is accepted", async () => {
    const rng = new Rng(10);
    const model = new TfModel(rng, [8, 6, 1])
      .add(
        'Conv2D',
        {
          name: 'c',
          filters: 2,
          kernel_size: [1, 1],
          strides: [2, 2],
          padding: 'same',
          batch_input_shape: [null, 8, 6, 1],
        },
        { kernel: [1, 1, 1, 2], bias: [2] },
      )
      .add('MaxPooling2D', { name: 'p', pool_size: [2, 3], padding: 'same' })
      .add('Flatten', { name: 'f' })
      .add('Dense', { name: 'd', units: 2 }, { kernel: [4, 2], bias: [2] })
      .add('Activation', { name: 'a', activation: 'softmax' });
    await expectSameFunction(model, rng);
  });

  it('a binary sigmoid output becomes two softmax classes [1 − p, p]', async () => {
    const rng = new Rng(11);
    const model = new TfModel(rng, [5])
      .add(
        'Dense',
        { name: 'h', units: 4, activation: 'relu', batch_input_shape: [null, 5] },
        { kernel: [5, 4], bias: [4] },
      )
      .add('Dense', { name: 'out', units: 1, activation: 'sigmoid' }, { kernel: [4, 1], bias: [1] });
    const snapshot = importTfjsModel(await writeTfjs(model));
    expect(snapshot.architecture.numClasses).toBe(2);
    expect(snapshot.architecture.layers.at(-1)).toEqual({ type: 'softmax' });
    for (let s = 0; s < 5; s++) {
      const x = randomSample(rng, [5]);
      const [p] = forwardTf(model.layers, model.weights, x);
      const [q0, q1] = forwardAntidote(snapshot, x.data);
      expect(q1).toBeCloseTo(p, 6);
      expect(q0).toBeCloseTo(1 - p, 6);
    }
  });

  it('transposes conv kernels HWIO → OIHW and re-orders Dense rows after Flatten (worked example)', async () => {
    const model = new TfModel(new Rng(0), [1, 2, 1])
      .add(
        'Conv2D',
        {
          name: 'c',
          filters: 2,
          kernel_size: [1, 2],
          padding: 'valid',
          use_bias: false,
          batch_input_shape: [null, 1, 2, 1],
        },
        { kernel: [1, 2, 1, 2] },
      )
      .add(
        'Conv2D',
        { name: 'c2', filters: 2, kernel_size: [1, 1], use_bias: false },
        { kernel: [1, 1, 2, 2] },
      )
      .add('Flatten', { name: 'f' })
      .add('Dense', { name: 'd', units: 2, use_bias: false }, { kernel: [2, 2] });
    model.weights[0].data.set([1, 2, 3, 4]); // [ky=0][kx][in=0][out]: kx0 → (1, 2), kx1 → (3, 4)
    const { weights } = importTfjsModel(await writeTfjs(model));
    expect([...weights.get('layers.0.weight')!.data]).toEqual([1, 3, 2, 4]); // [out][in][ky][kx]
    expect(weights.get('layers.0.weight')!.shape).toEqual([2, 1, 1, 2]);
    // After c2 the map is 1 × 1 × 2: TF flattens (h, w, c) = (c0, c1), ours (c, h, w) = (c0, c1): same rows.
    expect(weights.get('layers.3.weight')!.data).toEqual(model.weights[2].data);
  });

  it('re-orders Dense rows from (h, w, c) to (c, h, w) (worked example)', async () => {
    const model = new TfModel(new Rng(0), [1, 2, 2])
      .add('Flatten', { name: 'f', batch_input_shape: [null, 1, 2, 2] })
      .add('Dense', { name: 'd', units: 2, use_bias: false }, { kernel: [4, 2] });
    model.weights[0].data.set([0, 0, 1, 1, 2, 2, 3, 3]); // row r holds r: TF rows (y, x, c) = 00·0, 00·1, 01·0, 01·1
    const { architecture, weights } = importTfjsModel(await writeTfjs(model));
    expect(architecture.inputShape).toEqual([2, 1, 2]);
    // Ours (c, y, x): (0,0,0) = TF row 0, (0,0,1) = TF row 2, (1,0,0) = TF row 1, (1,0,1) = TF row 3.
    expect([...weights.get('layers.1.weight')!.data]).toEqual([0, 0, 2, 2, 1, 1, 3, 3]);
  });
});

describe('an imported model as a classifier', () => {
  it.each([
    ['dense MLP', () => mlp(21)],
    ['conv net', () => convNet(22)],
  ])('%s: predictProba equals the TF forward pass on a batch', async (_, build) => {
    const model = build();
    const snapshot = importTfjsModel(await writeTfjs(model));
    const classifier = classifierFromSnapshot(snapshot);
    const rng = new Rng(23);
    const samples = Array.from({ length: 6 }, () => randomSample(rng, model.inputShape));
    const rows = samples.map((x) => (x.shape.length === 3 ? toChannelsFirst(x) : x.data));
    const batch = new Float32Array(rows.length * rows[0].length);
    for (const [i, row] of rows.entries()) batch.set(row, i * row.length);
    const proba = classifier.predictProba({
      shape: [rows.length, ...snapshot.architecture.inputShape],
      data: batch,
    });
    const k = classifier.numClasses;
    expect(proba.shape).toEqual([rows.length, k]);
    samples.forEach((x, i) => {
      const expected = forwardTf(model.layers, model.weights, x);
      expect(maxAbsDiff(proba.data.subarray(i * k, (i + 1) * k), expected)).toBeLessThan(1e-5);
    });
  });
});

describe('importTfjsModel: weight manifests', () => {
  it('dequantizes uint8 and uint16 (q · scale + min) and float16 weights', async () => {
    const model = new TfModel(new Rng(12), [2])
      .add('Dense', { name: 'a', units: 2, batch_input_shape: [null, 2] }, { kernel: [2, 2], bias: [2] })
      .add('Dense', { name: 'b', units: 2, activation: 'softmax', use_bias: false }, { kernel: [2, 2] });
    const file = await writeTfjs(model, {
      shards: 1,
      edit: (json) => {
        const [kernelA, biasA, kernelB] = json.weightsManifest[0].weights;
        kernelA.quantization = { dtype: 'uint8', scale: 0.5, min: -1 };
        biasA.quantization = { dtype: 'uint16', scale: 0.25, min: 2 };
        kernelB.quantization = { dtype: 'float16' };
      },
    });
    const half = [0x3c00, 0xc000, 0x3800, 0x0000]; // 1, -2, 0.5, 0
    const bytes = new Uint8Array([
      0,
      1,
      2,
      255,
      ...new Uint8Array(Uint16Array.of(4, 65535).buffer),
      ...new Uint8Array(Uint16Array.from(half).buffer),
    ]);
    await writeFile(join(dir, 'group1-shard1of1.bin'), bytes);
    const { weights } = importTfjsModel(file);
    expect([...weights.get('layers.0.weight')!.data]).toEqual([-1, -0.5, 0, 126.5]);
    expect([...weights.get('layers.0.bias')!.data]).toEqual([3, 65535 * 0.25 + 2]);
    expect([...weights.get('layers.1.weight')!.data]).toEqual([1, -2, 0.5, 0]);
  });

  it('skips optimizer weights and reads a second weight group', async () => {
    const model = mlp(13);
    const file = await writeTfjs(model, {
      edit: (json) => {
        const [group] = json.weightsManifest;
        group.paths.push('optimizer.bin');
        group.weights.push({ name: 'Adam/iter', shape: [], dtype: 'int32', group: 'optimizer' });
        // Move the last layer's weights into a group of their own.
        const moved = group.weights.splice(group.weights.length - 3, 2);
        json.weightsManifest.push({ paths: ['g2.bin'], weights: moved });
      },
    });
    // Re-cut the bytes to follow the edited manifest.
    const head = bytesOf(model.weights.slice(0, -2));
    await writeFile(join(dir, 'group1-shard1of2.bin'), head.subarray(0, 10));
    await writeFile(join(dir, 'group1-shard2of2.bin'), head.subarray(10));
    await writeFile(join(dir, 'optimizer.bin'), Int32Array.of(42));
    await writeFile(join(dir, 'g2.bin'), bytesOf(model.weights.slice(-2)));
    const snapshot = importTfjsModel(file);
    const x = randomSample(new Rng(1), [7]);
    expect(
      maxAbsDiff(forwardAntidote(snapshot, x.data), forwardTf(model.layers, model.weights, x)),
    ).toBeLessThan(1e-5);
  });
});

describe('importTfjsModel: errors name the file and the layer or weight', () => {
  it('rejects an unsupported layer class, naming the layer and the class', async () => {
    const model = mlp(1);
    model.layers.splice(1, 0, { class_name: 'BatchNormalization', config: { name: 'bn_1', axis: -1 } });
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location).toMatchObject({ file: join(dir, 'model.json'), field: 'bn_1' });
    expect(error.problem).toMatch(/BatchNormalization.*not supported/);
  });

  // convNet(1) layers: 0 input, 1 conv (same), 2 pool, 3 conv (same, stride 2), 4 conv, 5 flatten, 6–7 dense, 8 softmax.
  it.each<[string, () => TfModel, (m: TfModel) => void, string, RegExp]>([
    [
      'an unsupported activation',
      () => mlp(1),
      (m) => (m.layers[0].config.activation = 'elu'),
      'dense_Dense1.activation',
      /"elu"/,
    ],
    [
      'a leaky ReLU',
      () => mlp(1),
      (m) => m.add('ReLU', { name: 'r', negative_slope: 0.1 }),
      'r.negative_slope',
      /0\.1/,
    ],
    [
      'a dilated convolution',
      convNet1,
      (m) => (m.layers[1].config.dilation_rate = [2, 2]),
      'conv2d_Conv2D1.dilation_rate',
      /dilation/,
    ],
    [
      'bad strides',
      convNet1,
      (m) => (m.layers[1].config.strides = [0, 1]),
      'conv2d_Conv2D1.strides',
      /positive integer/,
    ],
    [
      "asymmetric 'same' padding (stride 2 on an even size)",
      convNet1,
      (m) => (m.layers[3].config.kernel_size = [2, 2]),
      'conv2d_Conv2D2.padding',
      /asymmetrically \(0 before, 1 after\)/,
    ],
    [
      "pooling 'same' that pads",
      convNet1,
      (m) => (m.layers[2].config.padding = 'same'),
      'max_pooling2d_1.padding',
      /pads/,
    ],
    ['a Dense on an image', convNet1, (m) => m.layers.splice(5, 1), 'dense_Dense1', /not a vector.*Flatten/],
    [
      'softmax before the last layer',
      convNet1,
      (m) => (m.layers[6].config.activation = 'softmax'),
      'dense_Dense1',
      /softmax/,
    ],
  ])('rejects %s', async (_, build, edit, field, problem) => {
    const model = build();
    edit(model);
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location.field).toBe(field);
    expect(error.problem).toMatch(problem);
  });

  it('names a missing shard', async () => {
    const file = await writeTfjs(mlp(1));
    await rm(join(dir, 'group1-shard2of2.bin'));
    const error = importErrorOf(file);
    expect(error.location.file).toBe(join(dir, 'group1-shard2of2.bin'));
    expect(error.problem).toBe('no such file');
  });

  it.each([
    ['truncated', -3, /hold 1325 bytes but its weights need 1328 \(truncated\)/],
    ['too long', 5, /hold 1333 bytes but its weights need 1328 \(extra bytes\)/],
  ])('rejects shards that are %s', async (_, delta, problem) => {
    const file = await writeTfjs(mlp(1));
    const shard = join(dir, 'group1-shard2of2.bin');
    const bytes = await readFile(shard);
    await writeFile(
      shard,
      delta < 0 ? bytes.subarray(0, bytes.length + delta) : Buffer.concat([bytes, Buffer.alloc(delta)]),
    );
    const error = importErrorOf(file);
    expect(error.location).toMatchObject({ file, field: 'weightsManifest[0]' });
    expect(error.problem).toMatch(problem);
  });

  it('rejects a manifest weight that no layer uses', async () => {
    const model = mlp(1);
    model.weights.push({ name: 'stray/kernel', shape: [2], data: new Float32Array(2) });
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location.field).toBe('stray/kernel');
    expect(error.problem).toMatch(/does not belong to any layer/);
  });

  it('rejects a layer whose weight is missing from the manifest', async () => {
    const model = mlp(1);
    model.weights.splice(1, 1); // dense_Dense1/bias
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location.field).toBe('dense_Dense1/bias');
    expect(error.problem).toMatch(/no weight "dense_Dense1\/bias" for Dense layer "dense_Dense1"/);
  });

  it('rejects a weight whose shape does not match its layer', async () => {
    const model = mlp(1);
    model.weights[2] = { name: 'dense_Dense2/kernel', shape: [10, 16], data: model.weights[2].data };
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location.field).toBe('dense_Dense2/kernel');
    expect(error.problem).toBe(
      'shape [10, 16] does not match Dense layer "dense_Dense2", which needs [16, 10]',
    );
  });

  it('rejects non-finite weights', async () => {
    const model = mlp(1);
    model.weights[3].data[2] = Number.NaN;
    const error = importErrorOf(await writeTfjs(model));
    expect(error.location.field).toBe('dense_Dense3/kernel');
    expect(error.problem).toMatch(/NaN at index 2 is not finite/);
  });

  it.each([
    [
      'a string weight',
      (json: ModelJson) => (json.weightsManifest[0].weights[0].dtype = 'string'),
      'weightsManifest[0].weights[0]',
      /dtype string/,
    ],
    [
      'a shard outside the model folder',
      (json: ModelJson) => json.weightsManifest[0].paths.push('../x.bin'),
      'weightsManifest[0].paths',
      /leaves the model's folder/,
    ],
    [
      'a manifest of the wrong shape',
      (json: ModelJson) => (json.weightsManifest[0].weights[1].shape = 'x'),
      'weightsManifest[0].weights[1].shape',
      /expected array/,
    ],
    [
      'an unknown model class',
      (json: ModelJson) => (json.modelTopology.class_name = 'Graph'),
      'modelTopology.class_name',
      /Graph is not supported/,
    ],
    [
      'an input shape of unknown size',
      (json: ModelJson) => (json.modelTopology.config!.layers[0].config.batch_input_shape = [null, null]),
      'dense_Dense1.batch_input_shape',
      /fixed positive sizes/,
    ],
    [
      'a missing input shape',
      (json: ModelJson) => delete json.modelTopology.config!.layers[0].config.batch_input_shape,
      'dense_Dense1',
      /input shape/,
    ],
  ])('rejects %s', async (_, edit, field, problem) => {
    const error = importErrorOf(await writeTfjs(mlp(1), { edit }));
    expect(error.location.field).toBe(field);
    expect(error.problem).toMatch(problem);
  });

  it('rejects a functional model that branches', async () => {
    const file = await writeTfjs(mlp(1), {
      style: 'functional-keras2',
      edit: (json) => {
        // dense_Dense3 reads from dense_Dense1 too: dense_Dense1 now feeds two layers.
        json.modelTopology.model_config!.config!.layers[4].inbound_nodes = [[['dense_Dense1', 0, 0, {}]]];
      },
    });
    const error = importErrorOf(file);
    expect(error.location.field).toBe('dense_Dense1');
    expect(error.problem).toMatch(/feeds 2 layers/);
  });

  it('rejects a layer with two inputs', async () => {
    const file = await writeTfjs(mlp(1), {
      style: 'functional-keras2',
      edit: (json) => {
        json.modelTopology.model_config!.config!.layers[4].inbound_nodes = [
          [
            ['dense_Dense1', 0, 0, {}],
            ['dense_Dense2', 0, 0, {}],
          ],
        ];
      },
    });
    const error = importErrorOf(file);
    expect(error.location.field).toBe('dense_Dense3');
    expect(error.problem).toMatch(/2 inputs/);
  });

  it('rejects a model.json that is not JSON or not a layers model', async () => {
    const file = join(dir, 'model.json');
    await writeFile(file, '{"modelTopology": ');
    expect(importErrorOf(file).problem).toMatch(/not valid JSON/);
    await writeFile(file, '{"format": "graph-model", "modelTopology": {}}');
    expect(importErrorOf(file).problem).toMatch(/not a TF.js layers model/);
    expect(importErrorOf(join(dir, 'nope.json')).problem).toBe('no such file');
  });
});

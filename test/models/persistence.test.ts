import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSafetensors, parseSafetensors, type SafetensorsDtype } from '../../src/data/safetensors.js';
import { Rng } from '../../src/engine/rng.js';
import type { Tensor } from '../../src/engine/tensor.js';
import type { InputError } from '../../src/errors.js';
import type { Architecture, LayerSpec, ModelSnapshot } from '../../src/models/architecture.js';
import {
  expectedParameterShapes,
  layerOutputShape,
  layerOutputShapes,
  loadModel,
  saveModel,
  validateArchitecture,
} from '../../src/models/persistence.js';
import { inputErrorOf } from './input-error.js';

const loadErrorOf = (path: string): InputError => inputErrorOf(() => loadModel(path));

function cnnArchitecture(): Architecture {
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'cnn',
    inputShape: [2, 6, 5],
    numClasses: 5,
    layers: [
      { type: 'conv2d', inChannels: 2, filters: 3, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1] },
      { type: 'relu' },
      { type: 'maxpool2d', poolSize: [2, 2], stride: [2, 2] },
      { type: 'flatten' },
      { type: 'dense', inputs: 18, units: 5 },
      { type: 'softmax' },
    ],
    classNames: ['a', 'b', 'c', 'd', 'e'],
    embeddingLayer: 3,
  };
}

function mlpArchitecture(): Architecture {
  return {
    format: 'antidote-model',
    version: 1,
    kind: 'mlp',
    inputShape: [4],
    numClasses: 3,
    layers: [
      { type: 'dense', inputs: 4, units: 8 },
      { type: 'tanh' },
      { type: 'dense', inputs: 8, units: 3, bias: false },
      { type: 'softmax' },
    ],
    featureNames: ['w', 'x', 'y', 'z'],
    standardization: { mean: [0.5, -1, 2, 0], std: [1, 2, 0.25, 3] },
  };
}

function randomSnapshot(architecture: Architecture, seed: number): ModelSnapshot {
  const rng = new Rng(seed);
  const weights = new Map<string, Tensor>();
  for (const [name, shape] of expectedParameterShapes(architecture)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    weights.set(name, { shape, data });
  }
  return { architecture, weights };
}

interface StoredTensor {
  dtype?: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'antidote-persist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bits(t: Tensor): Uint32Array {
  return new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
}

describe('architecture shapes', () => {
  it('computes every layer output shape through the chain (worked example)', () => {
    // conv 3×3 pad 1 keeps 6×5; pool 2/2 → floor((6−2)/2)+1 = 3, floor((5−2)/2)+1 = 2.
    expect(layerOutputShapes(cnnArchitecture())).toEqual([[3, 6, 5], [3, 6, 5], [3, 3, 2], [18], [5], [5]]);
    const strided: LayerSpec = {
      type: 'conv2d',
      inChannels: 2,
      filters: 3,
      kernelSize: [3, 2],
      stride: [2, 3],
      padding: [0, 1],
    };
    // rows floor((6 − 3)/2) + 1 = 2, cols floor((5 + 2 − 2)/3) + 1 = 2
    expect(layerOutputShape(strided, [2, 6, 5])).toEqual([3, 2, 2]);
    expect(() => layerOutputShape(strided, [2, 2, 5])).toThrow(
      'conv2d kernel [3, 2] does not fit input shape [2, 2, 5]',
    );
  });

  it('lists parameter shapes in layer order (weights OIHW / [in, out]; no bias when bias: false)', () => {
    expect([...expectedParameterShapes(cnnArchitecture())]).toEqual([
      ['layers.0.weight', [3, 2, 3, 3]],
      ['layers.0.bias', [3]],
      ['layers.4.weight', [18, 5]],
      ['layers.4.bias', [5]],
    ]);
    expect([...expectedParameterShapes(mlpArchitecture()).keys()]).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.2.weight',
    ]);
  });
});

describe('saveModel / loadModel', () => {
  it.each([1, 2, 3])('round-trips exactly (seed %i)', async (seed) => {
    for (const architecture of [cnnArchitecture(), mlpArchitecture()]) {
      const snapshot = randomSnapshot(architecture, seed);
      const target = join(dir, architecture.kind, 'nested');
      saveModel(target, snapshot);
      const loaded = loadModel(target);
      expect(loaded.architecture).toEqual(snapshot.architecture);
      expect([...loaded.weights.keys()]).toEqual([...snapshot.weights.keys()]);
      for (const [name, t] of snapshot.weights) {
        expect(loaded.weights.get(name)!.shape).toEqual(t.shape);
        expect(bits(loaded.weights.get(name)!)).toEqual(bits(t));
      }
    }
  });

  it('writes pretty JSON and F32 safetensors with format metadata, and no temporary files', async () => {
    const snapshot = randomSnapshot(cnnArchitecture(), 4);
    saveModel(dir, snapshot);
    saveModel(dir, randomSnapshot(cnnArchitecture(), 5)); // overwrite in place
    expect((await readdir(dir)).sort()).toEqual(['architecture.json', 'weights.safetensors']);
    const json = await readFile(join(dir, 'architecture.json'), 'utf8');
    expect(json).toContain('\n  "format": "antidote-model",\n');
    const parsed = parseSafetensors(await readFile(join(dir, 'weights.safetensors')));
    expect(parsed.metadata).toEqual({ format: 'antidote-model', version: '1' });
    expect([...parsed.tensors.values()].every((t) => t.dtype === 'F32')).toBe(true);
    const loaded = loadModel(join(dir, 'architecture.json')); // the file path works too
    expect(bits(loaded.weights.get('layers.4.weight')!)).not.toEqual(
      bits(snapshot.weights.get('layers.4.weight')!),
    );
  });

  it('refuses to save an invalid snapshot and writes nothing', async () => {
    const snapshot = randomSnapshot(mlpArchitecture(), 6);
    snapshot.weights.delete('layers.2.weight');
    const target = join(dir, 'out');
    const error = inputErrorOf(() => saveModel(target, snapshot));
    expect(error.location).toEqual({
      file: join(target, 'weights.safetensors'),
      field: 'layers.2.weight',
    });
    await expect(readdir(target)).rejects.toThrow();
  });
});

describe('loadModel: architecture.json errors name the file and the field', () => {
  const archFile = (): string => join(dir, 'architecture.json');

  /** Saves a valid model, then sets the value at `path` in its architecture.json. */
  async function saveWithArchitecture(path: (string | number)[], value: unknown): Promise<void> {
    saveModel(dir, randomSnapshot(cnnArchitecture(), 7));
    const arch = JSON.parse(await readFile(archFile(), 'utf8'));
    const parent = path.slice(0, -1).reduce((node, key) => node[key], arch);
    parent[path[path.length - 1]] = value;
    await writeFile(archFile(), JSON.stringify(arch));
  }

  it('reports a missing model', async () => {
    const error = loadErrorOf(join(dir, 'absent'));
    expect(error.location.file).toBe(join(dir, 'absent'));
    expect(error.problem).toBe('no such file');
    expect(loadErrorOf(dir).location.file).toBe(archFile());
  });

  it('reports JSON that does not parse', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(archFile(), '{"format": "antidote-model",');
    const error = loadErrorOf(dir);
    expect(error.location.file).toBe(archFile());
    expect(error.problem).toMatch(/^not valid JSON/);
  });

  it.each<[string, (string | number)[], unknown, string, RegExp]>([
    [
      'another format',
      ['format'],
      'keras',
      'format',
      /not an Antidote model architecture \(format is "keras"\)/,
    ],
    ['an unsupported version', ['version'], 2, 'version', /unsupported version 2/],
    ['an unknown layer type', ['layers', 1, 'type'], 'gelu', 'layers[1].type', /Invalid discriminator value/],
    [
      'a malformed kernel size',
      ['layers', 0, 'kernelSize'],
      [3],
      'layers[0].kernelSize',
      /expected array to have >=2/,
    ],
    ['a misspelt field', ['layers', 4, 'unit'], 5, 'layers[4]', /Unrecognized key: "unit"/],
    ['a fractional size', ['inputShape', 1], 6.5, 'inputShape[1]', /expected int/],
    [
      'a zero std',
      ['standardization'],
      { mean: [0], std: [0] },
      'standardization.std[0]',
      /expected number to be >0/,
    ],
    [
      'a chain that does not compose',
      ['layers', 4, 'inputs'],
      17,
      'layers[4]',
      /dense layer takes 17 inputs but receives shape \[18\]/,
    ],
    [
      'a conv whose channels do not match',
      ['inputShape'],
      [3, 6, 5],
      'layers[0]',
      /takes \[2, h, w\] but receives shape \[3, 6, 5\]/,
    ],
    [
      'a pool larger than its input',
      ['inputShape'],
      [2, 1, 5],
      'layers[2]',
      /pool \[2, 2\] does not fit input shape \[3, 1, 5\]/,
    ],
    [
      'an output that is not numClasses',
      ['numClasses'],
      4,
      'layers',
      /output shape \[5\] but numClasses is 4/,
    ],
    [
      'softmax before the end',
      ['layers', 1],
      { type: 'softmax' },
      'layers[1]',
      /only supported as the last layer/,
    ],
    [
      'class names of the wrong length',
      ['classNames'],
      ['a', 'b', 'c', 'd'],
      'classNames',
      /has 4 entries but needs 5/,
    ],
    [
      'an embedding layer that does not exist',
      ['embeddingLayer'],
      6,
      'embeddingLayer',
      /layer 6 does not exist/,
    ],
  ])('rejects %s', async (_, path, value, field, problem) => {
    await saveWithArchitecture(path, value);
    const error = loadErrorOf(dir);
    expect(error.location).toEqual({ file: archFile(), field });
    expect(error.problem).toMatch(problem);
  });

  it('validateArchitecture reports problems in values that never touched a file', () => {
    expect(inputErrorOf(() => validateArchitecture([], 'arch.json')).problem).toBe('not a JSON object');
    const e = inputErrorOf(() => validateArchitecture({ ...mlpArchitecture(), layers: [] }, 'arch.json'));
    expect(e.location).toEqual({ file: 'arch.json', field: 'layers' });
    expect(validateArchitecture(mlpArchitecture())).toEqual(mlpArchitecture());
  });
});

describe('loadModel: weights.safetensors errors name the file and the tensor', () => {
  const weightsFile = (): string => join(dir, 'weights.safetensors');

  /** Saves a valid model, then replaces its weights with `tensors` (each F32 unless its dtype says otherwise). */
  async function saveWithWeights(edit: (tensors: Map<string, StoredTensor>) => void): Promise<void> {
    const snapshot = randomSnapshot(cnnArchitecture(), 8);
    saveModel(dir, snapshot);
    const tensors = new Map<string, StoredTensor>(
      [...snapshot.weights].map(([name, t]) => [name, { shape: [...t.shape], data: t.data }]),
    );
    edit(tensors);
    await writeFile(weightsFile(), encodeSafetensors(tensors));
  }

  it.each<[string, (t: Map<string, StoredTensor>) => void, string, string]>([
    ['a missing tensor', (t) => t.delete('layers.0.bias'), 'layers.0.bias', 'tensor is missing'],
    [
      'an extra tensor',
      (t) => t.set('layers.1.weight', { shape: [1], data: new Float32Array(1) }),
      'layers.1.weight',
      'tensor is not a parameter of the architecture',
    ],
    [
      'a tensor of the wrong dtype',
      (t) => t.set('layers.0.bias', { shape: [3], data: new Float64Array(3) }),
      'layers.0.bias',
      'dtype F64 is not supported (weights must be F32)',
    ],
    [
      'a tensor of the wrong shape',
      (t) => t.set('layers.4.weight', { shape: [18, 4], data: new Float32Array(72) }),
      'layers.4.weight',
      "shape [18, 4] does not match the architecture's [18, 5]",
    ],
    [
      'a NaN',
      (t) => (t.get('layers.4.weight')!.data[7] = Number.NaN),
      'layers.4.weight',
      'value NaN at index 7 is not finite',
    ],
    [
      'an infinity',
      (t) => (t.get('layers.0.weight')!.data[0] = Number.NEGATIVE_INFINITY),
      'layers.0.weight',
      'value -Infinity at index 0 is not finite',
    ],
  ])('rejects %s', async (_, edit, field, problem) => {
    await saveWithWeights(edit);
    const error = loadErrorOf(dir);
    expect(error.location).toEqual({ file: weightsFile(), field });
    expect(error.problem).toBe(problem);
  });

  it('names a missing or corrupt weights file', async () => {
    saveModel(dir, randomSnapshot(mlpArchitecture(), 9));
    await writeFile(weightsFile(), new Uint8Array([1, 2, 3]));
    expect(loadErrorOf(dir).location.file).toBe(weightsFile());
    await rm(weightsFile());
    const error = loadErrorOf(dir);
    expect(error.location.file).toBe(weightsFile());
    expect(error.problem).toBe('no such file');
  });
});

/**
 * Saving and loading models: a folder with `architecture.json` (the Architecture, pretty-printed) and
 * `weights.safetensors` (float32 tensors named `layers.<i>.weight` / `layers.<i>.bias`). Everything read is
 * validated — schema, the layer chain's shapes, every tensor's presence, dtype, shape and finiteness — so a
 * model that loads is a model the classifiers can run.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { readExistingFile } from '../data/files.js';
import { encodeSafetensors, parseSafetensors } from '../data/safetensors.js';
import { sizeOf, type Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { Architecture, LayerSpec, ModelSnapshot } from './architecture.js';

export const ARCHITECTURE_FILE = 'architecture.json';
export const WEIGHTS_FILE = 'weights.safetensors';
const FORMAT = 'antidote-model';
const VERSION = 1;

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const positivePair = z.tuple([positiveInt, positiveInt]);

const layerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('dense'),
    inputs: positiveInt,
    units: positiveInt,
    bias: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('conv2d'),
    inChannels: positiveInt,
    filters: positiveInt,
    kernelSize: positivePair,
    stride: positivePair,
    padding: z.tuple([nonNegativeInt, nonNegativeInt]),
    bias: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('maxpool2d'), poolSize: positivePair, stride: positivePair }),
  z.strictObject({ type: z.literal('flatten') }),
  z.strictObject({ type: z.literal('relu') }),
  z.strictObject({ type: z.literal('sigmoid') }),
  z.strictObject({ type: z.literal('tanh') }),
  z.strictObject({ type: z.literal('softmax') }),
]);

const architectureSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  kind: z.enum(['softmax', 'mlp', 'cnn', 'sequential']),
  inputShape: z.array(positiveInt).min(1),
  numClasses: z.number().int().min(2),
  layers: z.array(layerSchema).min(1),
  classNames: z.array(z.string()).optional(),
  featureNames: z.array(z.string()).optional(),
  standardization: z
    .strictObject({ mean: z.array(z.number()), std: z.array(z.number().positive()) })
    .optional(),
  embeddingLayer: nonNegativeInt.optional(),
}) satisfies z.ZodType<Architecture>;

/**
 * Checks that `value` is a well-formed Architecture: the schema, then the cross-field rules (the layer chain
 * composes from `inputShape` to `[numClasses]`, softmax only last, name lists and standardisation sized to
 * the input). Returns it typed; throws InputError naming `file` and the JSON path of the first problem.
 */
export function validateArchitecture(value: unknown, file?: string): Architecture {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('not a JSON object', { file });
  }
  const { format, version } = value as Record<string, unknown>;
  if (format !== FORMAT) {
    throw new InputError(`not an Antidote model architecture (format is ${JSON.stringify(format)})`, {
      file,
      field: 'format',
    });
  }
  if (version !== VERSION) {
    throw new InputError(
      `unsupported version ${JSON.stringify(version)} (this Antidote reads version ${VERSION})`,
      { file, field: 'version' },
    );
  }
  const arch = parseWithSchema(architectureSchema, value, file);
  checkCrossFields(arch, layerOutputShapes(arch, file), file);
  return arch;
}

/**
 * The output shape of every layer (index i = after layers[i]), computed through the chain from `inputShape`.
 * Throws InputError naming the first layer whose input does not fit it.
 */
export function layerOutputShapes(arch: Architecture, file?: string): number[][] {
  const shapes: number[][] = [];
  let shape = arch.inputShape;
  arch.layers.forEach((layer, i) => {
    try {
      shape = layerOutputShape(layer, shape);
    } catch (error) {
      if (error instanceof InputError) throw error.at({ file, field: `layers[${i}]` });
      throw error;
    }
    shapes.push(shape);
  });
  return shapes;
}

/** The output shape of one layer for a given input shape; InputError (without location) when it does not fit. */
export function layerOutputShape(layer: LayerSpec, input: readonly number[]): number[] {
  const shown = `[${input.join(', ')}]`;
  switch (layer.type) {
    case 'dense':
      if (input.length !== 1 || input[0] !== layer.inputs) {
        throw new InputError(`dense layer takes ${layer.inputs} inputs but receives shape ${shown}`);
      }
      return [layer.units];
    case 'conv2d': {
      if (input.length !== 3 || input[0] !== layer.inChannels) {
        throw new InputError(`conv2d layer takes [${layer.inChannels}, h, w] but receives shape ${shown}`);
      }
      const out = [0, 1].map(
        (a) => Math.floor((input[a + 1] + 2 * layer.padding[a] - layer.kernelSize[a]) / layer.stride[a]) + 1,
      );
      if (out.some((d) => d < 1)) {
        throw new InputError(
          `conv2d kernel [${layer.kernelSize.join(', ')}] does not fit input shape ${shown}`,
        );
      }
      return [layer.filters, out[0], out[1]];
    }
    case 'maxpool2d': {
      if (input.length !== 3)
        throw new InputError(`maxpool2d layer takes [c, h, w] but receives shape ${shown}`);
      const out = [0, 1].map((a) => Math.floor((input[a + 1] - layer.poolSize[a]) / layer.stride[a]) + 1);
      if (out.some((d) => d < 1)) {
        throw new InputError(
          `maxpool2d pool [${layer.poolSize.join(', ')}] does not fit input shape ${shown}`,
        );
      }
      return [input[0], out[0], out[1]];
    }
    case 'flatten':
      return [sizeOf(input)];
    default:
      return [...input];
  }
}

/** The name and shape of every parameter tensor the architecture needs, in layer order. */
export function expectedParameterShapes(arch: Architecture): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  arch.layers.forEach((layer, i) => {
    if (layer.type === 'dense') {
      shapes.set(`layers.${i}.weight`, [layer.inputs, layer.units]);
      if (layer.bias !== false) shapes.set(`layers.${i}.bias`, [layer.units]);
    } else if (layer.type === 'conv2d') {
      shapes.set(`layers.${i}.weight`, [layer.filters, layer.inChannels, ...layer.kernelSize]);
      if (layer.bias !== false) shapes.set(`layers.${i}.bias`, [layer.filters]);
    }
  });
  return shapes;
}

/** Checks that `weights` holds exactly the architecture's parameters, each of the right shape and finite. */
export function validateWeights(
  arch: Architecture,
  weights: ReadonlyMap<string, Tensor>,
  file?: string,
): void {
  const expected = expectedParameterShapes(arch);
  for (const [name, shape] of expected) {
    const t = weights.get(name);
    if (t === undefined) throw new InputError('tensor is missing', { file, field: name });
    if (!sameShape(t.shape, shape)) {
      throw new InputError(
        `shape [${t.shape.join(', ')}] does not match the architecture's [${shape.join(', ')}]`,
        { file, field: name },
      );
    }
    if (t.data.length !== sizeOf(shape)) {
      throw new InputError(`holds ${t.data.length} values but its shape needs ${sizeOf(shape)}`, {
        file,
        field: name,
      });
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new InputError(`value ${t.data[bad]} at index ${bad} is not finite`, { file, field: name });
  }
  for (const name of weights.keys()) {
    if (!expected.has(name)) {
      throw new InputError('tensor is not a parameter of the architecture', { file, field: name });
    }
  }
}

/**
 * Writes `architecture.json` and `weights.safetensors` into `dir` (created if needed). Each file is written
 * to a temporary name, synced and renamed over the old one, so a reader never sees a half-written file.
 * The weights go first: a reader that sees the new architecture also sees the new weights.
 */
export function saveModel(dir: string, snapshot: ModelSnapshot): void {
  const archFile = join(dir, ARCHITECTURE_FILE);
  const weightsFile = join(dir, WEIGHTS_FILE);
  const arch = validateArchitecture(snapshot.architecture, archFile);
  validateWeights(arch, snapshot.weights, weightsFile);
  const tensors = new Map<string, { dtype: 'F32'; shape: readonly number[]; data: Float32Array }>();
  for (const name of expectedParameterShapes(arch).keys()) {
    const t = snapshot.weights.get(name)!;
    tensors.set(name, { dtype: 'F32', shape: t.shape, data: t.data });
  }
  const weightBytes = encodeSafetensors(tensors, { format: FORMAT, version: String(VERSION) });
  mkdirSync(dir, { recursive: true });
  writeAtomically(weightsFile, weightBytes);
  writeAtomically(archFile, new TextEncoder().encode(`${JSON.stringify(arch, null, 2)}\n`));
}

/**
 * Loads a model saved by `saveModel`. `path` is the model folder or its `architecture.json`; the weights are
 * read from `weights.safetensors` beside it.
 */
export function loadModel(path: string): ModelSnapshot {
  const archFile = statSync(path, { throwIfNoEntry: false })?.isDirectory()
    ? join(path, ARCHITECTURE_FILE)
    : path;
  const weightsFile = join(dirname(archFile), WEIGHTS_FILE);
  const arch = validateArchitecture(parseJson(readExistingFile(archFile), archFile), archFile);
  const { tensors } = parseSafetensors(readExistingFile(weightsFile), weightsFile);
  const weights = new Map<string, Tensor>();
  for (const [name, t] of tensors) {
    if (t.dtype !== 'F32') {
      throw new InputError(`dtype ${t.dtype} is not supported (weights must be F32)`, {
        file: weightsFile,
        field: name,
      });
    }
    weights.set(name, { shape: t.shape, data: t.data as Float32Array });
  }
  validateWeights(arch, weights, weightsFile);
  return { architecture: arch, weights };
}

function checkCrossFields(arch: Architecture, shapes: number[][], file: string | undefined): void {
  const fail = (problem: string, field: string): InputError => new InputError(problem, { file, field });
  const output = shapes[shapes.length - 1];
  if (output.length !== 1 || output[0] !== arch.numClasses) {
    throw fail(
      `the layers output shape [${output.join(', ')}] but numClasses is ${arch.numClasses}`,
      'layers',
    );
  }
  const softmax = arch.layers.findIndex((l) => l.type === 'softmax');
  if (softmax >= 0 && softmax !== arch.layers.length - 1) {
    throw fail('softmax is only supported as the last layer', `layers[${softmax}]`);
  }
  const inputSize = sizeOf(arch.inputShape);
  const sized: [string, unknown[] | undefined, number][] = [
    ['classNames', arch.classNames, arch.numClasses],
    ['featureNames', arch.featureNames, inputSize],
    ['standardization.mean', arch.standardization?.mean, inputSize],
    ['standardization.std', arch.standardization?.std, inputSize],
  ];
  for (const [field, list, length] of sized) {
    if (list !== undefined && list.length !== length) {
      throw fail(`has ${list.length} entries but needs ${length}`, field);
    }
  }
  if (arch.embeddingLayer !== undefined && arch.embeddingLayer >= arch.layers.length) {
    throw fail(
      `layer ${arch.embeddingLayer} does not exist (there are ${arch.layers.length})`,
      'embeddingLayer',
    );
  }
}

// Shared with the other model readers (tfjs.ts, classifier options): JSON and schemas with located errors.

/**
 * Parses `value` with a zod schema; the first issue becomes an InputError whose field is its JSON path
 * (`layers[2].kernelSize[0]`), prefixed with `root` when the value sits inside a larger document.
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, file?: string, root?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new InputError(`${first.message}${more}`, { file, field: jsonPath(first.path, root) });
}

function jsonPath(path: readonly PropertyKey[], root?: string): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
  const joined = `${root ?? ''}${parts.join('')}`.replace(/^\./, '');
  return joined === '' ? '(root)' : joined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Parses JSON bytes; invalid UTF-8 or JSON is an InputError naming the file. */
export function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file });
  }
}

function writeAtomically(file: string, bytes: Uint8Array): void {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file was never created
    }
    throw error;
  }
}

/**
 * `antidote attack label-flip|inject|backdoor DATA … --out POISONED` and `antidote attack weights MODEL …
 * --out MODEL2`: run a seeded attack, write the attacked artefact (a dataset in the input's format, or a model
 * folder) and its ground truth beside it as `<out>.truth.json`.
 */
import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { availabilityPoisoning } from '../../attacks/availability.js';
import { plantBackdoor } from '../../attacks/backdoor.js';
import { randomBitFlips } from '../../attacks/bit-flip.js';
import { bitFlipSearch } from '../../attacks/bit-flip-search.js';
import type { DatasetAttackResult } from '../../attacks/dataset-truth.js';
import { featureBox, injectMislabeledDuplicates, injectRandomNoise } from '../../attacks/injection.js';
import { flipLabelsAdversarial, flipLabelsPair, flipLabelsUniform } from '../../attacks/label-flip.js';
import { blendTrigger, type ImageShape, patchTrigger, type TriggerSpec } from '../../attacks/triggers.js';
import type { Budget } from '../../attacks/types.js';
import { gaussianWeightNoise } from '../../attacks/weight-noise.js';
import type { WeightAttackResult } from '../../attacks/weight-truth.js';
import type { Dataset } from '../../data/dataset.js';
import { type DatasetFormat, detectFormat, saveDataset } from '../../data/load.js';
import { stratifiedSplit, subset } from '../../data/split.js';
import { Rng } from '../../engine/rng.js';
import { InputError, UsageError } from '../../errors.js';
import { classifierFromSnapshot, createClassifier } from '../../models/classifier.js';
import { alignToModel } from '../../models/compatibility.js';
import { loadModel, saveModel } from '../../models/persistence.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import { addDatasetOptions, type DatasetCliOptions, loadDatasetFromCli } from '../dataset-options.js';
import { parseChoice, parseInteger, parseNumber, parseSeed } from '../options.js';
import { json, table } from '../render.js';

interface CommonOptions {
  out: string;
  seed: number;
  format: 'text' | 'json';
}

interface DataAttackOptions extends CommonOptions, DatasetCliOptions {
  rate?: number;
  count?: number;
}

const positiveNumber = parseNumber(0, 1e30, { exclusiveMin: true });

function numberList(value: string): number[] {
  const parts = value.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  if (!parts.every(Number.isFinite)) {
    throw new InvalidArgumentError(`expected numbers separated by commas, got "${value}"`);
  }
  return parts;
}

export function registerAttackCommands(program: Command, ctx: CommandContext): void {
  const attack = program
    .command('attack')
    .description('red-team a dataset or model with a seeded attack; writes the result and <out>.truth.json');
  registerLabelFlip(attack, ctx);
  registerInject(attack, ctx);
  registerBackdoor(attack, ctx);
  registerWeights(attack, ctx);
}

/** The options every data attack shares: input parsing, budget, seed, output. */
function dataCommand(parent: Command, name: string, description: string): Command {
  const command = addDatasetOptions(
    parent
      .command(name)
      .description(description)
      .argument('<data>', 'clean dataset (csv, jsonl, npz, safetensors, idx)')
      .requiredOption(
        '--out <file>',
        'poisoned dataset, written in the input format; truth goes to <file>.truth.json',
      ),
  )
    .option(
      '--rate <r>',
      'fraction of samples to poison (of the whole set; of the source class for --mode pair)',
      parseNumber(0, 1),
    )
    .option('--count <n>', 'number of samples to poison, instead of --rate', parseInteger(0));
  return addSeedAndFormat(command);
}

/** --seed and --format, which every attack takes. */
function addSeedAndFormat(command: Command): Command {
  return command
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .option(
      '--format <format>',
      'summary format: text or json',
      parseChoice(['text', 'json'] as const),
      'text',
    );
}

function registerLabelFlip(parent: Command, ctx: CommandContext): void {
  dataCommand(
    parent,
    'label-flip',
    'flip training labels: uniformly, one class into another, or adversarially',
  )
    .option(
      '--mode <mode>',
      'uniform, pair or adversarial',
      parseChoice(['uniform', 'pair', 'adversarial'] as const),
      'uniform',
    )
    .option('--source <class>', 'pair mode: the class whose labels are flipped (index or name)')
    .option('--target <class>', 'pair mode: the class they are flipped to (index or name)')
    .option(
      '--surrogate-epochs <n>',
      'adversarial mode: epochs of the softmax surrogate',
      parseInteger(1, 10_000),
      30,
    )
    .action(
      (
        data: string,
        o: DataAttackOptions & { mode: string; source?: string; target?: string; surrogateEpochs: number },
      ) => {
        runDataAttack(ctx, data, o, (dataset, budget) => {
          if (o.mode === 'pair') {
            if (o.source === undefined || o.target === undefined) {
              throw new UsageError('--mode pair needs --source and --target');
            }
            const source = resolveClass(dataset, o.source, 'source');
            return flipLabelsPair(dataset, {
              ...budget,
              source,
              target: resolveClass(dataset, o.target, 'target'),
              seed: o.seed,
            });
          }
          if (o.mode === 'adversarial') {
            const surrogate = createClassifier('softmax');
            surrogate.fit(dataset, { epochs: o.surrogateEpochs, learningRate: 0.01, seed: o.seed });
            return flipLabelsAdversarial(dataset, {
              ...budget,
              probabilities: surrogate.predictProba(dataset.x),
              seed: o.seed,
            });
          }
          return flipLabelsUniform(dataset, { ...budget, seed: o.seed });
        });
      },
    );
}

function registerInject(parent: Command, ctx: CommandContext): void {
  dataCommand(
    parent,
    'inject',
    'add poison samples: random noise, mislabelled duplicates, or optimised (availability)',
  )
    .option(
      '--mode <mode>',
      'noise, duplicates or availability',
      parseChoice(['noise', 'duplicates', 'availability'] as const),
      'availability',
    )
    .option(
      '--validation-split <f>',
      'availability: fraction of the data the attacker uses as validation',
      parseNumber(0, 1, { exclusiveMin: true }),
      0.2,
    )
    .option('--iterations <n>', 'availability: gradient steps', parseInteger(1, 10_000), 10)
    .action(
      (
        data: string,
        o: DataAttackOptions & { mode: string; validationSplit: number; iterations: number },
      ) => {
        runDataAttack(ctx, data, o, (dataset, budget) => {
          if (o.mode === 'noise') return injectRandomNoise(dataset, { ...budget, seed: o.seed });
          if (o.mode === 'duplicates')
            return injectMislabeledDuplicates(dataset, { ...budget, seed: o.seed });
          const validation = subset(dataset, stratifiedSplit(dataset.y, o.validationSplit, o.seed).test);
          return availabilityPoisoning(dataset, {
            ...budget,
            validation,
            iterations: o.iterations,
            seed: o.seed,
          });
        });
      },
    );
}

interface BackdoorCliOptions extends DataAttackOptions {
  trigger: TriggerSpec['kind'];
  target: string;
  allToAll: boolean;
  cleanLabel: boolean;
  imageShape?: number[];
  patchSize?: number;
  patchPosition: string;
  value?: number;
  alpha: number;
  delta?: number;
  testDelta?: number;
  frequency: number;
  features?: number[];
  values?: number[];
}

function registerBackdoor(parent: Command, ctx: CommandContext): void {
  dataCommand(
    parent,
    'backdoor',
    'plant a backdoor: BadNets patch, blended pattern, SIG signal or tabular trigger',
  )
    .option(
      '--trigger <kind>',
      'patch, blend, signal or tabular',
      parseChoice(['patch', 'blend', 'signal', 'tabular'] as const),
      'patch',
    )
    .option('--target <class>', 'target class (index or name)', '0')
    .option('--all-to-all', 'label y → y + 1 mod K instead of one target', false)
    .option('--clean-label', 'poison only target-class samples and keep every label (SIG)', false)
    .option('--image-shape <c,h,w>', 'layout of flat rows for patch/signal triggers, e.g. 1,8,8', numberList)
    .option(
      '--patch-size <n>',
      'patch: side in pixels (default: a quarter of the image side)',
      parseInteger(1, 100_000),
    )
    .option('--patch-position <pos>', 'patch: bottom-right, top-left or ROW,COL', 'bottom-right')
    .option(
      '--value <v>',
      'patch: pixel value (default: the largest value in the data)',
      parseNumber(-1e30, 1e30),
    )
    .option(
      '--alpha <a>',
      'blend: opacity of the random pattern',
      parseNumber(0, 1, { exclusiveMin: true }),
      0.2,
    )
    .option('--delta <d>', 'signal: amplitude (default: half the data range)', positiveNumber)
    .option('--test-delta <d>', 'signal: amplitude on test inputs (default: --delta)', positiveNumber)
    .option(
      '--frequency <f>',
      'signal: periods across the image width',
      parseNumber(0, 1e6, { exclusiveMin: true }),
      1,
    )
    .option('--features <i,j,…>', 'tabular: 0-based feature indices', numberList)
    .option('--values <a,b,…>', 'tabular: their trigger values', numberList)
    .action((data: string, o: BackdoorCliOptions) => {
      runDataAttack(ctx, data, o, (dataset, budget) =>
        plantBackdoor(dataset, {
          ...budget,
          trigger: triggerFromOptions(dataset, o),
          ...(o.allToAll ? { allToAll: true } : { target: resolveClass(dataset, o.target, 'target') }),
          cleanLabel: o.cleanLabel,
          seed: o.seed,
        }),
      );
    });
}

function triggerFromOptions(dataset: Dataset, o: BackdoorCliOptions): TriggerSpec {
  const { low, high } = featureBox(dataset);
  const lo = Math.min(...low);
  const hi = Math.max(...high);
  const features = dataset.x.data.length / dataset.y.length;
  switch (o.trigger) {
    case 'patch':
      return patchTrigger({
        imageShape: imageShapeOf(dataset, o.imageShape),
        size: o.patchSize,
        position: patchPosition(o.patchPosition),
        value: o.value ?? hi,
      });
    case 'blend':
      return blendTrigger({ features, alpha: o.alpha, range: [lo, hi], seed: o.seed });
    case 'signal':
      return {
        kind: 'signal',
        imageShape: imageShapeOf(dataset, o.imageShape),
        delta: o.delta ?? (hi - lo) / 2,
        ...(o.testDelta === undefined ? {} : { testDelta: o.testDelta }),
        frequency: o.frequency,
        range: [lo, hi],
      };
    case 'tabular':
      if (o.features === undefined || o.values === undefined) {
        throw new UsageError('--trigger tabular needs --features and --values');
      }
      return { kind: 'tabular', features: o.features, values: o.values };
  }
}

function imageShapeOf(dataset: Dataset, given?: number[]): ImageShape {
  if (given !== undefined) {
    if (given.length !== 3)
      throw new UsageError(`--image-shape takes three sizes (channels,height,width), got ${given.length}`);
    return given as ImageShape;
  }
  const shape = dataset.x.shape;
  if (shape.length === 4) return [shape[1], shape[2], shape[3]];
  if (shape.length === 3) return [1, shape[1], shape[2]];
  throw new UsageError(`rows are flat (${shape[1]} features): give --image-shape, e.g. 1,8,8 for 64 pixels`);
}

function patchPosition(value: string): 'bottom-right' | 'top-left' | [number, number] {
  if (value === 'bottom-right' || value === 'top-left') return value;
  const parts = value.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isInteger)) {
    throw new UsageError(`--patch-position takes bottom-right, top-left or ROW,COL, got "${value}"`);
  }
  return [parts[0], parts[1]];
}

/** A class given by index or by name. */
function resolveClass(dataset: Dataset, value: string, option: string): number {
  const named = dataset.classNames?.indexOf(value) ?? -1;
  if (named >= 0) return named;
  const index = Number(value);
  if (/^\d+$/.test(value) && index < dataset.numClasses) return index;
  throw new InputError(
    `"${value}" is not a class of the data (${dataset.classNames?.join(', ') ?? `0 to ${dataset.numClasses - 1}`})`,
    { field: option },
  );
}

function budgetOf(o: { rate?: number; count?: number }): Budget {
  if ((o.rate === undefined) === (o.count === undefined))
    throw new UsageError('give exactly one of --rate and --count');
  return o.rate !== undefined ? { rate: o.rate } : { count: o.count };
}

function runDataAttack(
  ctx: CommandContext,
  data: string,
  o: DataAttackOptions,
  attack: (dataset: Dataset, budget: Budget) => DatasetAttackResult,
): void {
  const budget = budgetOf(o);
  const dataset = loadDatasetFromCli(data, o);
  const format = outputFormat(dataset, o.out);
  const result = attack(dataset, budget);
  const written = saveDataset(o.out, result.output, format);
  const truthFile = writeTruth(o.out, result.truth);
  const { truth } = result;
  ctx.emit(
    report(o.format, {
      tool: { name: 'antidote', version: VERSION },
      attack: truth.attack,
      seed: o.seed,
      input: { path: data, sha256: dataset.source?.sha256, samples: dataset.y.length },
      changed: truth.changed.length,
      injected: truth.injected.length,
      relabelled: truth.changed.filter((c) => c.label !== c.originalLabel).length,
      outputs: written,
      truth: truthFile,
    }),
  );
}

/** The input's format; an --out name that calls for another format is a usage error. */
function outputFormat(dataset: Dataset, out: string): DatasetFormat {
  const input = dataset.source?.format as DatasetFormat | undefined;
  let requested: DatasetFormat | undefined;
  try {
    requested = detectFormat(out);
  } catch {
    requested = undefined;
  }
  if (input !== undefined && requested !== undefined && requested !== input) {
    throw new UsageError(
      `--out ${out} names a ${requested} file, but the input is ${input}; the poisoned data keeps the input format`,
    );
  }
  return input ?? requested ?? 'csv';
}

interface WeightsCliOptions extends CommonOptions, DatasetCliOptions {
  bitFlips?: number;
  bits: 'any' | 'sign' | 'exponent' | 'mantissa';
  noise?: number;
  relative: boolean;
  bfa: boolean;
  data?: string;
  maxFlips: number;
  targetAccuracy: number;
  batch: number;
}

function registerWeights(parent: Command, ctx: CommandContext): void {
  const command = addDatasetOptions(
    parent
      .command('weights')
      .description(
        'tamper with a model: random bit flips, Gaussian weight noise, or a targeted bit-flip search (BFA)',
      )
      .argument('<model>', 'model folder (architecture.json + weights.safetensors)')
      .requiredOption('--out <dir>', 'folder for the tampered model; truth goes to <dir>.truth.json'),
  )
    .option('--bit-flips <n>', 'flip N random bits', parseInteger(1, 1e9))
    .option(
      '--bits <field>',
      'which float32 bits to flip: any, sign, exponent or mantissa',
      parseChoice(['any', 'sign', 'exponent', 'mantissa'] as const),
      'any',
    )
    .option('--noise <sigma>', 'add Gaussian noise N(0, sigma²) to every weight', positiveNumber)
    .option('--relative', 'noise: sigma is relative to each tensor’s RMS', false)
    .option('--bfa', 'progressive bit-flip search that destroys accuracy on --data with few flips', false)
    .option('--data <file>', 'bfa: samples the attacker holds')
    .option('--max-flips <n>', 'bfa: most flips', parseInteger(1, 1_000_000), 20)
    .option('--target-accuracy <a>', 'bfa: stop at this accuracy on the data', parseNumber(0, 1), 0.1)
    .option('--batch <n>', 'bfa: samples drawn from --data for the search', parseInteger(1, 1e9), 256);
  addSeedAndFormat(command).action((modelPath: string, o: WeightsCliOptions) => {
    const chosen = [o.bitFlips !== undefined, o.noise !== undefined, o.bfa].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError('choose exactly one of --bit-flips N, --noise SIGMA and --bfa');
    if (o.bfa && o.data === undefined) throw new UsageError('--bfa needs --data');
    const snapshot = loadModel(modelPath);
    let result: WeightAttackResult;
    if (o.bitFlips !== undefined) {
      result = randomBitFlips(snapshot, { count: o.bitFlips, bits: o.bits, seed: o.seed });
    } else if (o.noise !== undefined) {
      result = gaussianWeightNoise(snapshot, { sigma: o.noise, relative: o.relative, seed: o.seed });
    } else {
      const dataset = loadDatasetFromCli(o.data!, o);
      const { x, y } = alignToModel(dataset, snapshot.architecture, o.data);
      const aligned: Dataset = { ...dataset, x, y };
      const rows = new Rng(o.seed).sample(y.length, Math.min(o.batch, y.length));
      result = bitFlipSearch(snapshot, {
        data: subset(aligned, Uint32Array.from(rows).sort()),
        maxFlips: o.maxFlips,
        targetAccuracy: o.targetAccuracy,
        bits: o.bits,
      });
    }
    // The attacked model must still be one the classifiers can run (the same validation a load does).
    classifierFromSnapshot(result.output);
    saveModel(o.out, result.output);
    const truthFile = writeTruth(o.out, result.truth);
    ctx.emit(
      report(o.format, {
        tool: { name: 'antidote', version: VERSION },
        attack: result.truth.attack,
        seed: o.seed,
        input: { path: modelPath },
        changedWeights: result.truth.changes.length,
        flippedBits: result.truth.changes.reduce((n, c) => n + c.bits.length, 0),
        outputs: [o.out],
        truth: truthFile,
        ...(o.bfa ? { batchAccuracy: result.info.batchAccuracy } : {}),
      }),
    );
  });
}

/** `<out>.truth.json` beside the output (a trailing slash of a folder name is dropped). */
function writeTruth(out: string, truth: object): string {
  const file = `${out.replace(/\/+$/, '')}.truth.json`;
  writeFileSync(file, `${JSON.stringify(truth, null, 2)}\n`);
  return file;
}

/** The summary as JSON, or as aligned `key  value` lines. */
function report(format: 'text' | 'json', summary: Record<string, unknown>): string {
  if (format === 'json') return json(summary);
  const rows = Object.entries(summary)
    .filter(([key]) => key !== 'tool' && key !== 'input')
    .map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]);
  return table(rows);
}

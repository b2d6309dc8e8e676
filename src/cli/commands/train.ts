import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EpochProgress, TrainResult } from '../../engine/train.js';
import { type ClassifierKind, createClassifier } from '../../models/classifier.js';
import { saveModel } from '../../models/persistence.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import { addDatasetOptions, type DatasetCliOptions, loadDatasetFromCli } from '../dataset-options.js';
import { parseChoice, parseInteger, parseNumber, parseSeed } from '../options.js';
import { createProgress } from '../progress.js';
import { formatNumber, json, percent, table } from '../render.js';

interface TrainCliOptions extends DatasetCliOptions {
  model: ClassifierKind;
  out: string;
  epochs: number;
  batchSize: number;
  learningRate?: number;
  optimizer: 'adam' | 'sgd';
  weightDecay: number;
  validationSplit?: number;
  patience?: number;
  hidden?: number[];
  inputShape?: number[];
  standardize: 'features' | 'global' | 'none';
  seed: number;
  format: 'text' | 'json';
}

const positiveList =
  (count?: number) =>
  (value: string): number[] => {
    const parts = value.split(/[,x×]/).map((s) => Number(s.trim()));
    if (
      parts.some((p) => !Number.isInteger(p) || p <= 0) ||
      (count !== undefined && parts.length !== count)
    ) {
      throw new InvalidArgumentError(
        `expected ${count ?? 'a list of'} positive integers separated by commas, got "${value}"`,
      );
    }
    return parts;
  };

export function registerTrainCommand(program: Command, ctx: CommandContext): void {
  addDatasetOptions(
    program
      .command('train')
      .description('train a classifier on a dataset and save it (architecture.json + weights.safetensors)')
      .argument('<data>', 'training dataset')
      .requiredOption('--out <dir>', 'folder to save the model in')
      .option(
        '--model <kind>',
        'softmax, mlp or cnn',
        parseChoice(['softmax', 'mlp', 'cnn'] as const),
        'mlp',
      ),
  )
    .option('--epochs <n>', 'training epochs', parseInteger(1, 100_000), 20)
    .option('--batch-size <n>', 'mini-batch size', parseInteger(1, 1_000_000), 64)
    .option(
      '--learning-rate <lr>',
      'step size (adam: 0.01 for softmax, 0.001 otherwise; sgd: 0.05)',
      parseNumber(0, 10, { exclusiveMin: true }),
    )
    .option(
      '--optimizer <name>',
      'adam or sgd (with momentum 0.9)',
      parseChoice(['adam', 'sgd'] as const),
      'adam',
    )
    .option('--weight-decay <w>', 'L2 weight decay', parseNumber(0, 1), 0)
    .option(
      '--validation-split <f>',
      'fraction held out to report validation accuracy',
      parseNumber(0, 1, { exclusiveMin: true }),
    )
    .option(
      '--patience <n>',
      'early stopping: epochs without better validation loss (needs --validation-split)',
      parseInteger(1, 100_000),
    )
    .option('--hidden <units>', 'hidden layer sizes, e.g. 256,128 (mlp) or 128 (cnn)', positiveList())
    .option('--input-shape <c,h,w>', 'image shape for flat rows (cnn), e.g. 1,8,8', positiveList(3))
    .option(
      '--standardize <scope>',
      'features (per feature: tabular data), global (one scale for all: images) or none',
      parseChoice(['features', 'global', 'none'] as const),
      'features',
    )
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .action((data: string, o: TrainCliOptions) => {
      const dataset = loadDatasetFromCli(data, o);
      const classifier = createClassifier(o.model, modelOptions(o));
      const progress = createProgress(ctx.io, `training ${o.model}`, o.format);
      const started = performance.now();
      const result = classifier.fit(dataset, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        optimizer: o.optimizer,
        weightDecay: o.weightDecay,
        validationSplit: o.validationSplit,
        patience: o.patience,
        standardize: o.standardize,
        seed: o.seed,
        onEpoch: (p: EpochProgress) => progress.update(p.epoch, p.epochs, `loss ${formatNumber(p.loss)}`),
      });
      progress.done();
      saveModel(o.out, classifier.toSnapshot());
      const summary = {
        tool: { name: 'antidote', version: VERSION },
        seed: o.seed,
        data: { path: data, sha256: dataset.source?.sha256, samples: dataset.y.length },
        model: { kind: o.model, path: o.out },
        seconds: (performance.now() - started) / 1000,
        ...result,
      };
      ctx.emit(o.format === 'json' ? json(summary) : renderTraining(result, o.out, summary.seconds));
    });
}

function modelOptions(o: TrainCliOptions): Record<string, unknown> {
  if (o.model === 'mlp') return o.hidden ? { hidden: o.hidden } : {};
  if (o.model === 'cnn') {
    if (o.hidden && o.hidden.length !== 1) throw new InvalidArgumentError('--hidden takes one size for cnn');
    return {
      ...(o.hidden ? { hidden: o.hidden[0] } : {}),
      ...(o.inputShape ? { inputShape: o.inputShape } : {}),
    };
  }
  return {};
}

function renderTraining(result: TrainResult, out: string, seconds: number): string {
  const hasValidation = result.history.some((h) => h.validationAccuracy !== undefined);
  const header = [
    'epoch',
    'loss',
    'accuracy',
    ...(hasValidation ? ['val loss', 'val accuracy'] : []),
    'seconds',
  ];
  const rows = result.history.map((h) => [
    h.epoch,
    h.loss,
    percent(h.accuracy),
    ...(hasValidation ? [h.validationLoss ?? NaN, percent(h.validationAccuracy ?? NaN)] : []),
    h.seconds,
  ]);
  const notes = [
    result.stoppedEarly ? `stopped early; restored the weights of epoch ${result.bestEpoch}` : undefined,
    `model saved to ${out} (${seconds.toFixed(1)} s)`,
  ].filter((s) => s !== undefined);
  return [table([header, ...rows]), '', ...notes].join('\n');
}

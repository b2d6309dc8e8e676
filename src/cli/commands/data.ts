import type { Command } from 'commander';
import type { DatasetInspection } from '../../data/inspect.js';
import { inspectFile } from '../../data/inspect.js';
import { saveDataset } from '../../data/load.js';
import { stratifiedSplit, subset } from '../../data/split.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import {
  addDatasetOptions,
  type DatasetCliOptions,
  loadDatasetFromCli,
  loadOptions,
} from '../dataset-options.js';
import { parseChoice, parseNumber, parseSeed } from '../options.js';
import { json, table } from '../render.js';

const FEATURES_SHOWN = 20;

export function registerDataCommands(program: Command, ctx: CommandContext): void {
  const data = program.command('data').description('inspect and split datasets');

  addDatasetOptions(
    data
      .command('inspect')
      .description('shape, classes, per-class counts, feature ranges and missing values of a dataset')
      .argument(
        '<file>',
        'dataset: .csv[.gz], .tsv, .jsonl, .npz, .safetensors, IDX images file or directory',
      ),
  )
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .option('--output <file>', 'write the result to a file instead of stdout')
    .action((file: string, o: DatasetCliOptions & { format: 'text' | 'json'; output?: string }) => {
      const inspection = inspectFile(file, { ...loadOptions(o), missing: 'keep' });
      ctx.emit(
        o.format === 'json'
          ? json({ tool: { name: 'antidote', version: VERSION }, ...inspection })
          : renderInspection(inspection),
        o.output,
      );
    });

  addDatasetOptions(
    data
      .command('split')
      .description('stratified train/test split, written in the formats the output names call for')
      .argument('<file>', 'dataset to split')
      .requiredOption('--train <file>', 'where to write the training part')
      .requiredOption('--test <file>', 'where to write the test part'),
  )
    .option(
      '--test-fraction <f>',
      'fraction of each class for the test part',
      parseNumber(0, 1, { exclusiveMin: true }),
      0.2,
    )
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .action(
      (
        file: string,
        o: DatasetCliOptions & { train: string; test: string; testFraction: number; seed: number },
      ) => {
        const dataset = loadDatasetFromCli(file, o);
        const split = stratifiedSplit(dataset.y, o.testFraction, o.seed);
        const written = [
          ...saveDataset(o.train, subset(dataset, split.train)),
          ...saveDataset(o.test, subset(dataset, split.test)),
        ];
        ctx.io.stderr.write(
          `split ${dataset.y.length} samples into ${split.train.length} train and ${split.test.length} test: ${written.join(', ')}\n`,
        );
      },
    );
}

function renderInspection(r: DatasetInspection): string {
  const lines = [
    `samples: ${r.samples}   sample shape: [${r.sampleShape.join(', ')}]   classes: ${r.numClasses}`,
    '',
    table([['label', 'class', 'count'], ...r.classes.map((c) => [c.label, c.name, c.count])]),
    '',
  ];
  const shown = r.features.slice(0, FEATURES_SHOWN);
  lines.push(
    table([
      ['feature', 'min', 'max', 'mean', 'missing'],
      ...shown.map((f) => [f.name, f.min ?? 'n/a', f.max ?? 'n/a', f.mean ?? 'n/a', f.missing]),
    ]),
  );
  if (r.features.length > shown.length) {
    lines.push(`… ${r.features.length - shown.length} more features (--format json lists them all)`);
  }
  lines.push('', `missing values: ${r.missing.cells} cells in ${r.missing.samples} samples`);
  if (r.droppedLines.length > 0)
    lines.push(`rows skipped (no label): lines ${r.droppedLines.slice(0, 10).join(', ')}`);
  return lines.join('\n');
}

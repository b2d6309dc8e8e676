import type { Command } from 'commander';
import { DIFF_FORMATS, type DiffFormat, renderWeightDiff } from '../../defenses/integrity/diff-render.js';
import { DEFAULT_DIFF_THRESHOLDS, diffModelFiles } from '../../defenses/integrity/weight-diff.js';
import type { CommandContext } from '../context.js';
import { parseChoice, parseInteger, parseNumber } from '../options.js';

interface DiffCliOptions {
  format: DiffFormat;
  output?: string;
  maxElements: number;
  maxFlipBits: number;
  sparseFraction: number;
}

/** `antidote diff A B`: which tensors changed between two models and how; exit 1 when they differ. */
export function registerDiffCommand(program: Command, ctx: CommandContext): void {
  program
    .command('diff')
    .description(
      'compare the weights of two models bit by bit (safetensors, TF.js, NPY/NPZ, antidote model folders); ' +
        'exit 1 when they differ',
    )
    .argument('<model-a>', 'the reference model: file or folder')
    .argument('<model-b>', 'the model to compare with it')
    .option('--format <format>', DIFF_FORMATS.join(', '), parseChoice(DIFF_FORMATS), 'text')
    .option('--output <file>', 'write the diff to a file instead of stdout')
    .option('--max-elements <n>', 'changed elements listed per tensor', parseInteger(0), 100)
    .option(
      '--max-flip-bits <n>',
      'an element differing in at most this many bits counts as a bit flip',
      parseInteger(1, 64),
      DEFAULT_DIFF_THRESHOLDS.maxFlipBits,
    )
    .option(
      '--sparse-fraction <f>',
      'a change of at most this fraction of a tensor counts as sparse',
      parseNumber(0, 1),
      DEFAULT_DIFF_THRESHOLDS.sparseFraction,
    )
    .action((modelA: string, modelB: string, options: DiffCliOptions) => {
      const diff = diffModelFiles(modelA, modelB, {
        maxElements: options.maxElements,
        maxFlipBits: options.maxFlipBits,
        sparseFraction: options.sparseFraction,
      });
      ctx.emit(renderWeightDiff(diff, options.format), options.output);
      if (!diff.identical) ctx.setExitCode(1);
    });
}

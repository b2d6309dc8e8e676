/**
 * `antidote scan DATA`: find poisoned, mislabelled and injected samples before a training set is used.
 * Exit codes: 0 (also with findings, unless --fail-on is given), 1 when a finding reaches --fail-on,
 * 2 for bad usage or input.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { sha256Hex } from '../../data/hash.js';
import { saveDataset } from '../../data/load.js';
import { InputError } from '../../errors.js';
import { classifierFromSnapshot } from '../../models/classifier.js';
import { loadModel, WEIGHTS_FILE } from '../../models/persistence.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../report/render.js';
import { type Report, SEVERITIES, type Severity } from '../../report/types.js';
import { fixDataset } from '../../scan/fix.js';
import { loadScanInputs } from '../../scan/load.js';
import { DETECTORS, type DetectorName, runScan, type ScanOptions } from '../../scan/run-scan.js';
import { exitCodeFor } from '../../scan/verdict.js';
import type { CommandContext } from '../context.js';
import { addDatasetOptions, type DatasetCliOptions, loadOptions } from '../dataset-options.js';
import { isInteractive } from '../io.js';
import { parseChoice, parseSeed } from '../options.js';

interface ScanCliOptions extends DatasetCliOptions {
  reference?: string;
  source?: string;
  model?: string;
  detectors: DetectorName[];
  format: ReportFormat;
  output?: string;
  failOn?: Severity;
  fix?: string;
  fixSeverity: Severity;
  relabel: boolean;
  seed: number;
}

const parseSeverity = parseChoice(SEVERITIES);

function parseDetectors(value: string): DetectorName[] {
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((name) => !(DETECTORS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `unknown detector(s) ${unknown.join(', ')}; expected some of ${DETECTORS.join(', ')}`,
    );
  }
  return names as DetectorName[];
}

export function registerScanCommand(program: Command, ctx: CommandContext): void {
  addDatasetOptions(
    program
      .command('scan')
      .description('find poisoned, mislabelled and injected samples in a training set before it is used')
      .argument('<data>', 'the dataset to scan (CSV, TSV, JSONL, NPZ, safetensors or IDX)'),
  )
    .option(
      '--reference <file>',
      'a trusted version of the dataset with the same columns (range, balance, drift checks)',
    )
    .option('--source <column>', 'column naming where each sample came from (annotator, contributor, batch)')
    .option('--model <dir>', 'a saved model whose outputs replace the out-of-fold models trained by the scan')
    .option('--detectors <list>', `comma-separated subset of ${DETECTORS.join(', ')}`, parseDetectors, [
      ...DETECTORS,
    ])
    .option('--format <format>', REPORT_FORMATS.join(', '), parseChoice(REPORT_FORMATS), 'text')
    .option('--output <file>', 'write the report here instead of stdout')
    .option(
      '--fail-on <severity>',
      `exit 1 when a finding reaches this severity (${SEVERITIES.join(', ')}); default: never`,
      parseSeverity,
    )
    .option('--fix <cleaned>', 'write the dataset without the flagged samples (format from the file name)')
    .option(
      '--fix-severity <severity>',
      'samples with a finding at or above this severity are removed',
      parseSeverity,
      'medium',
    )
    .option(
      '--relabel',
      'with --fix: relabel suspected label issues to the suggested label instead of removing them',
      false,
    )
    .option('--seed <n>', 'random seed', parseSeed, 0)
    .action((data: string, o: ScanCliOptions) => {
      const inputs = loadScanInputs(data, { ...loadOptions(o), source: o.source, reference: o.reference });
      const interactive = isInteractive(ctx.io, o.format);
      const options: ScanOptions = {
        seed: o.seed,
        reference: inputs.reference,
        sources: inputs.sources,
        detectors: o.detectors,
        failOn: o.failOn,
        command: commandLine(data, o),
        config: configOf(o),
        progress: interactive ? (stage) => ctx.io.stderr.write(`\rscanning: ${stage}…\x1b[K`) : undefined,
      };
      if (o.model !== undefined) {
        const classifier = classifierFromSnapshot(loadModel(o.model));
        if (classifier.numClasses !== inputs.dataset.numClasses) {
          throw new InputError(
            `the model predicts ${classifier.numClasses} classes, the data has ${inputs.dataset.numClasses}`,
            { file: o.model },
          );
        }
        options.model = classifier;
        options.subjects = [modelSubject(o.model)];
      }
      const report = runScan(inputs.dataset, options);
      if (interactive) ctx.io.stderr.write('\r\x1b[K');
      ctx.emit(renderReport(report, o.format), o.output);
      if (o.output !== undefined && o.output !== '-')
        ctx.io.stderr.write(`report written to ${o.output} (verdict ${report.verdict})\n`);
      if (o.fix !== undefined) writeFixed(ctx, inputs.original, report, o);
      ctx.setExitCode(exitCodeFor(report.findings, o.failOn));
    });
}

function writeFixed(
  ctx: CommandContext,
  original: Parameters<typeof fixDataset>[0],
  report: Report,
  o: ScanCliOptions,
): void {
  const fixed = fixDataset(original, report, { minSeverity: o.fixSeverity, relabel: o.relabel });
  const written = saveDataset(o.fix!, fixed.dataset);
  ctx.io.stderr.write(
    `cleaned dataset written to ${written.join(' and ')}: ${fixed.dataset.y.length} of ${original.y.length} samples kept, ` +
      `${fixed.removed.length} removed (findings at ${o.fixSeverity} or above), ${fixed.relabelled.length} relabelled\n`,
  );
}

/** The model's weights file and its SHA-256, for the report's subjects. */
function modelSubject(path: string): Report['subjects'][number] {
  const isFile = path.endsWith('.json');
  const weights = join(isFile ? dirname(path) : path, WEIGHTS_FILE);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(weights);
  } catch {
    throw new InputError('cannot read the model weights', { file: weights });
  }
  return { name: weights, sha256: sha256Hex(bytes), role: 'model' };
}

function commandLine(data: string, o: ScanCliOptions): string {
  const parts = ['antidote', 'scan', data];
  const add = (flag: string, value: string | undefined): void => {
    if (value !== undefined) parts.push(flag, value);
  };
  add('--label', o.label);
  if (!o.header) parts.push('--no-header');
  add('--reference', o.reference);
  add('--source', o.source);
  add('--model', o.model);
  if (o.detectors.length !== DETECTORS.length) add('--detectors', o.detectors.join(','));
  add('--format', o.format);
  add('--output', o.output);
  add('--fail-on', o.failOn);
  add('--fix', o.fix);
  if (o.fix !== undefined) add('--fix-severity', o.fixSeverity);
  if (o.relabel) parts.push('--relabel');
  add('--seed', String(o.seed));
  return parts.map((p) => (/^[\w./=,:@-]+$/.test(p) ? p : JSON.stringify(p))).join(' ');
}

function configOf(o: ScanCliOptions): Record<string, unknown> {
  return {
    label: o.label ?? null,
    header: o.header,
    reference: o.reference ?? null,
    source: o.source ?? null,
    model: o.model ?? null,
    failOn: o.failOn ?? null,
    fix: o.fix ?? null,
    fixSeverity: o.fixSeverity,
    relabel: o.relabel,
  };
}

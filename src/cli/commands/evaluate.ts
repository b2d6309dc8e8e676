import type { Command } from 'commander';
import { accuracy, confusionMatrix, perClassMetrics } from '../../eval/classification.js';
import { classifierFromSnapshot } from '../../models/classifier.js';
import { alignToModel } from '../../models/compatibility.js';
import { loadModel } from '../../models/persistence.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import { addDatasetOptions, type DatasetCliOptions, loadDatasetFromCli } from '../dataset-options.js';
import { parseChoice } from '../options.js';
import { json, percent, table } from '../render.js';

interface Evaluation {
  accuracy: number;
  classes: { label: number; name: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[trueClass][predictedClass] */
  confusion: number[][];
}

export function registerEvaluateCommand(program: Command, ctx: CommandContext): void {
  addDatasetOptions(
    program
      .command('evaluate')
      .description('accuracy, per-class precision/recall and the confusion matrix of a model on a dataset')
      .argument('<model>', 'model folder (architecture.json + weights.safetensors)')
      .argument('<data>', 'labelled dataset'),
  )
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .option('--output <file>', 'write the result to a file instead of stdout')
    .action(
      (
        modelPath: string,
        data: string,
        o: DatasetCliOptions & { format: 'text' | 'json'; output?: string },
      ) => {
        const snapshot = loadModel(modelPath);
        const dataset = loadDatasetFromCli(data, o);
        const { x, y: labels } = alignToModel(dataset, snapshot.architecture, data);
        const predictions = classifierFromSnapshot(snapshot).predict(x);
        const k = snapshot.architecture.numClasses;
        const confusion = confusionMatrix(predictions, labels, k);
        const names = snapshot.architecture.classNames ?? Array.from({ length: k }, (_, i) => String(i));
        const evaluation: Evaluation = {
          accuracy: accuracy(predictions, labels),
          classes: perClassMetrics(confusion).map((m, c) => ({ label: c, name: names[c], ...m })),
          confusion,
        };
        const inputs = {
          model: modelPath,
          data: { path: data, sha256: dataset.source?.sha256, samples: labels.length },
        };
        ctx.emit(
          o.format === 'json'
            ? json({ tool: { name: 'antidote', version: VERSION }, ...inputs, ...evaluation })
            : renderEvaluation(evaluation),
          o.output,
        );
      },
    );
}

/** Metrics to three decimals; NaN (0/0, e.g. a class never predicted) as n/a. */
function ratio(v: number): string {
  return Number.isNaN(v) ? 'n/a' : v.toFixed(3);
}

function renderEvaluation(e: Evaluation): string {
  const perClass = table([
    ['class', 'precision', 'recall', 'f1', 'support'],
    ...e.classes.map((c) => [c.name, ratio(c.precision), ratio(c.recall), ratio(c.f1), c.support]),
  ]);
  const confusion = table([
    ['true \\ predicted', ...e.classes.map((c) => c.name)],
    ...e.confusion.map((row, i) => [e.classes[i].name, ...row]),
  ]);
  return [`accuracy: ${percent(e.accuracy)}`, '', perClass, '', 'confusion matrix:', confusion].join('\n');
}

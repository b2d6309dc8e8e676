/**
 * `antidote scan` speed: a full scan (every detector) of the bundled digits, of the poisoned demo set (with
 * its precision/recall against the planted truth) and of the full Fashion-MNIST training set (60,000 ×
 * 784, against its test set as the trusted reference) when it is installed — seconds per detector and the
 * process's peak resident memory. Targets: digits ≤ 5 s; Fashion-MNIST ≤ 120 s and ≤ 2 GB on 2 cores.
 */
import { readFileSync } from 'node:fs';
import { bundledPath, loadDigits, loadFashionMnist } from '../src/data/bundled.js';
import type { Dataset } from '../src/data/dataset.js';
import { detectionMetrics, maskFromIndices } from '../src/eval/detection.js';
import { severityRank } from '../src/report/types.js';
import { loadScanInputs } from '../src/scan/load.js';
import { runScan, type ScanOptions } from '../src/scan/run-scan.js';
import { printTable } from './table.js';

type Row = Record<string, string | number>;

function timedScan(
  name: string,
  dataset: Dataset,
  options: ScanOptions = {},
): { row: Row; flagged: Uint8Array } {
  const report = runScan(dataset, { seed: 0, ...options });
  const m = report.metrics;
  const flagged = new Uint8Array(dataset.y.length);
  for (const f of report.findings) {
    if (f.target.kind === 'sample' && severityRank(f.severity) >= severityRank('medium'))
      flagged[Number(f.target.id)] = 1;
  }
  const row: Row = {
    dataset: name,
    samples: dataset.y.length,
    'total s': m['seconds.total'],
    'validation s': m['seconds.validation'] ?? 0,
    'model (k-fold) s': m['seconds.model'] ?? 0,
    'label-issue s': m['seconds.label-issue'] ?? 0,
    'backdoor s': m['seconds.backdoor'] ?? 0,
    'outlier s': m['seconds.outlier'] ?? 0,
    flagged: m.flaggedSamples,
    verdict: report.verdict,
    'peak RSS MB': Math.round(process.resourceUsage().maxRSS / 1024),
  };
  return { row, flagged };
}

export async function run(): Promise<void> {
  const rows: Row[] = [timedScan('digits (clean)', loadDigits()).row];

  const truth = JSON.parse(readFileSync(bundledPath('demo/digits-poisoned.truth.json'), 'utf8')) as {
    poisoned: number[];
  };
  const demo = loadScanInputs(bundledPath('demo/digits-poisoned.csv')).dataset;
  const demoScan = timedScan('demo (digits + BadNets + flips)', demo);
  rows.push(demoScan.row);

  let fashion: ReturnType<typeof loadFashionMnist> | undefined;
  try {
    fashion = loadFashionMnist();
  } catch (error) {
    console.log(`\n(full Fashion-MNIST skipped: ${(error as Error).message})`);
  }
  if (fashion !== undefined) {
    rows.push(timedScan('Fashion-MNIST train (60k × 784)', fashion.train, { reference: fashion.test }).row);
  }
  printTable('scan: seconds per detector and peak memory (full scan, seed 0)', rows);
  const quality = detectionMetrics(demoScan.flagged, maskFromIndices(truth.poisoned, demo.y.length));
  printTable('scan: the demo set against its planted truth (flagged = any finding ≥ medium)', [
    {
      poisoned: truth.poisoned.length,
      flagged: quality.truePositives + quality.falsePositives,
      precision: quality.precision,
      recall: quality.recall,
      f1: quality.f1,
    },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

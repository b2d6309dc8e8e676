/**
 * Data-layer benchmarks: memory and time to load the full Fashion-MNIST training set (each load in a fresh
 * child process, peak RSS from the OS), and parse/write throughput of the tabular and array formats.
 * Fashion-MNIST is looked up like loadFashionMnist() does ($ANTIDOTE_FASHION_MNIST, then Debian's path);
 * without it those rows are skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  encodeNpzDataset,
  encodeSafetensorsDataset,
  parseNpzDataset,
  parseSafetensorsDataset,
} from '../src/data/array-dataset.js';
import { SYSTEM_FASHION_MNIST_DIR } from '../src/data/bundled.js';
import { parseCsv, writeCsv } from '../src/data/csv.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadIdxDataset } from '../src/data/idx-dataset.js';
import { parseJsonl, writeJsonl } from '../src/data/jsonl.js';
import { stratifiedKFold, stratifiedSplit } from '../src/data/split.js';
import { Rng } from '../src/engine/rng.js';
import { printTable } from './table.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const REPEATS = 3;

type ChildMode = 'baseline' | 'stream' | 'whole-file';

/** What a child process measures: one way of loading the training images, or nothing (the baseline). */
function childLoad(mode: ChildMode, dir: string): number {
  const images = join(dir, 'train-images-idx3-ubyte.gz');
  const labels = join(dir, 'train-labels-idx1-ubyte.gz');
  if (mode === 'stream') return loadIdxDataset(images, labels).y.length;
  if (mode === 'whole-file') {
    // The naive way, for comparison: decompress everything, then convert.
    const bytes = gunzipSync(readFileSync(images));
    const x = new Float32Array(bytes.length - 16);
    for (let i = 0; i < x.length; i++) x[i] = bytes[16 + i] / 255;
    return x.length / 784;
  }
  return 0;
}

function runChild(mode: ChildMode, dir: string): { ms: number; peakMb: number } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--child', mode, dir], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`bench child ${mode} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { ms: number; peakMb: number };
}

function fashionDir(): string | undefined {
  const dir = process.env.ANTIDOTE_FASHION_MNIST || SYSTEM_FASHION_MNIST_DIR;
  const present = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].every((f) =>
    existsSync(join(dir, f)),
  );
  return present ? dir : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Peak RSS of a bare `node` that loads nothing: what the loader would add to outside tsx. */
function bareNodePeakMb(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.resourceUsage().maxRSS / 1024)'], {
    encoding: 'utf8',
  });
  return Number(child.stdout.trim());
}

function benchFashionLoad(): void {
  const dir = fashionDir();
  if (dir === undefined) {
    printTable('Fashion-MNIST training set load (skipped: not found)', []);
    return;
  }
  const tsxBaseline = median(Array.from({ length: REPEATS }, () => runChild('baseline', dir).peakMb));
  const nodeBaseline = median(Array.from({ length: REPEATS }, bareNodePeakMb));
  const rows: Record<string, string | number>[] = (['stream', 'whole-file'] as const).map((mode) => {
    const runs = Array.from({ length: REPEATS }, () => runChild(mode, dir));
    const peak = median(runs.map((r) => r.peakMb));
    return {
      method: mode === 'stream' ? 'loadIdxDataset (streamed)' : 'gunzipSync + convert (naive)',
      'time ms': median(runs.map((r) => r.ms)),
      'peak RSS MB (tsx)': peak,
      'added MB': peak - tsxBaseline,
      'peak RSS MB (plain node)': nodeBaseline + peak - tsxBaseline,
    };
  });
  const dist = distPeakMb(dir);
  if (dist !== undefined) {
    rows.push({
      method: 'loadIdxDataset, built dist/ in plain node',
      'time ms': dist.ms,
      'peak RSS MB (tsx)': 'n/a',
      'added MB': dist.peakMb - nodeBaseline,
      'peak RSS MB (plain node)': dist.peakMb,
    });
  }
  printTable(
    'Fashion-MNIST training set load: 60,000 × 784 → Float32Array (188 MB), child process, median of 3 ' +
      `(baselines: node + tsx ${tsxBaseline.toFixed(0)} MB, bare node ${nodeBaseline.toFixed(0)} MB)`,
    rows,
  );
}

/** The real thing, measured rather than estimated: the compiled loader (after `npm run build`) in bare node. */
function distPeakMb(dir: string): { ms: number; peakMb: number } | undefined {
  const entry = new URL('../dist/data/index.js', import.meta.url);
  if (!existsSync(entry)) return undefined;
  const script = `const m = await import(${JSON.stringify(entry.href)}); const t = performance.now();
    m.loadIdxDataset(${JSON.stringify(join(dir, 'train-images-idx3-ubyte.gz'))}, ${JSON.stringify(join(dir, 'train-labels-idx1-ubyte.gz'))});
    console.log(JSON.stringify({ ms: performance.now() - t, peakMb: process.resourceUsage().maxRSS / 1024 }));`;
  const runs = Array.from({ length: REPEATS }, () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench dist child failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim()) as { ms: number; peakMb: number };
  });
  return { ms: median(runs.map((r) => r.ms)), peakMb: median(runs.map((r) => r.peakMb)) };
}

/** A seeded table of `n` rows: 16 numeric features, 2 categorical columns, 5 named classes. */
function syntheticTable(n: number): Dataset {
  const rng = new Rng(1);
  const d = 16 + 3 + 4;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 16; j++) x[i * d + j] = Math.fround(rng.normal() * 100);
    x[i * d + 16 + rng.int(3)] = 1;
    x[i * d + 19 + rng.int(4)] = 1;
  }
  const featureNames = [
    ...Array.from({ length: 16 }, (_, j) => `f${j}`),
    ...['a', 'b', 'c'].map((c) => `colour=${c}`),
    ...['n', 'e', 's', 'w'].sort().map((c) => `side=${c}`),
  ];
  return {
    x: { shape: [n, d], data: x },
    y: Int32Array.from({ length: n }, () => rng.int(5)),
    numClasses: 5,
    classNames: ['ant', 'bee', 'cat', 'dog', 'eel'],
    featureNames,
    encodings: [
      { column: 'colour', categories: ['a', 'b', 'c'], firstFeature: 16 },
      { column: 'side', categories: ['e', 'n', 's', 'w'], firstFeature: 19 },
    ],
  };
}

function benchFormats(): void {
  const table = syntheticTable(20_000);
  const csv = writeCsv(table);
  const jsonl = writeJsonl(table);
  const rng = new Rng(2);
  const images: Dataset = {
    x: { shape: [10_000, 1, 28, 28], data: Float32Array.from({ length: 10_000 * 784 }, () => rng.float()) },
    y: Int32Array.from({ length: 10_000 }, () => rng.int(10)),
    numClasses: 10,
  };
  const stored = encodeNpzDataset(images);
  const deflated = encodeNpzDataset(images, { compress: true });
  const safetensors = encodeSafetensorsDataset(images);
  const mb = (bytes: number): number => bytes / 1e6;
  const row = (format: string, size: number, parse: () => unknown, write: () => unknown) => ({
    format,
    'size MB': mb(size),
    'parse ms': time(parse),
    'write ms': time(write),
  });
  const rows = [
    row(
      'CSV 20,000 × 18 cols',
      csv.length,
      () => parseCsv(csv, 'b.csv'),
      () => writeCsv(table),
    ),
    row(
      'JSONL 20,000 × 18 fields',
      jsonl.length,
      () => parseJsonl(jsonl, 'b.jsonl'),
      () => writeJsonl(table),
    ),
    row(
      'NPZ stored 10,000 × 784 f32',
      stored.length,
      () => parseNpzDataset(stored),
      () => encodeNpzDataset(images),
    ),
    row(
      'NPZ deflated 10,000 × 784 f32 (random)',
      deflated.length,
      () => parseNpzDataset(deflated),
      () => encodeNpzDataset(images, { compress: true }),
    ),
    row(
      'safetensors 10,000 × 784 f32',
      safetensors.length,
      () => parseSafetensorsDataset(safetensors),
      () => encodeSafetensorsDataset(images),
    ),
  ];
  printTable('Parse / write, median of 3 (in memory, no disk)', rows);
}

function benchSplits(): void {
  const rng = new Rng(3);
  const y = Int32Array.from({ length: 60_000 }, () => rng.int(10));
  printTable('Stratified splits of 60,000 labels, median of 3', [
    { operation: 'stratifiedSplit(0.2)', ms: time(() => stratifiedSplit(y, 0.2, 1)) },
    { operation: 'stratifiedKFold(5)', ms: time(() => stratifiedKFold(y, 5, 1)) },
  ]);
}

export async function run(): Promise<void> {
  benchFashionLoad();
  benchFormats();
  benchSplits();
}

if (process.argv[2] === '--child') {
  const start = performance.now();
  childLoad(process.argv[3] as ChildMode, process.argv[4]);
  const ms = performance.now() - start;
  console.log(JSON.stringify({ ms, peakMb: process.resourceUsage().maxRSS / 1024 }));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}

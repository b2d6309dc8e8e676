/**
 * Backdoor poisons in a model's representation. Per class: the top principal components of the class's
 * embeddings, where poisons carrying a trigger form their own direction (spectral signatures, Tran, Li &
 * Madry 2018), and a two-cluster split of that projection (activation clustering, Chen et al. 2018). The
 * poison rate is never given: a class counts as poisoned when its leading eigenvalue stands out — λ1/λ2 at
 * least `minRatio` and at least `relativeRatio` times the median ratio of the classes (a clean class's
 * spectrum decays gently, a poisoned one has one dominant direction) — and its poisons are then the
 * smaller cluster (Chen et al.'s assumption that poisons are a minority of their labelled class), so the
 * estimated number of poisoned samples is that cluster's size.
 */
import { topEigenvectors } from '../../engine/kernels/index.js';
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import type { Finding } from '../../report/types.js';
import { percent, rankFindings, sampleFinding } from './findings.js';
import { gatherRows } from './knn.js';
import { median } from './robust.js';
import { twoMeans } from './two-means.js';
import type { Detection } from './types.js';

export interface BackdoorOptions {
  /** Principal components the clustering runs on (default 5). */
  components?: number;
  /** Classes with fewer samples are not analysed (default 20). */
  minClassSize?: number;
  /** Least λ1/λ2 of a poisoned class (default 3). */
  minRatio?: number;
  /** Least λ1/λ2 relative to the median over the classes (default 1.6). */
  relativeRatio?: number;
  seed?: number;
}

export interface ClassSpectrum {
  label: number;
  samples: number;
  /** λ1/λ2 of the class's embedding covariance. */
  eigenRatio: number;
  /** Samples in the smaller of the two clusters. */
  minorityCluster: number;
  poisoned: boolean;
}

export interface BackdoorSummary extends Record<string, unknown> {
  /** The class the poisons are labelled with (the backdoor's target), or null when none stands out. */
  targetClass: number | null;
  estimatedPoisoned: number;
  classes: ClassSpectrum[];
}

export const BACKDOOR_RULE = 'backdoor/spectral-signature';

export function detectBackdoorPoisons(
  embeddings: Tensor,
  labels: Int32Array,
  numClasses: number,
  opts: BackdoorOptions = {},
): Detection & { summary: BackdoorSummary } {
  const started = performance.now();
  const n = labels.length;
  if (embeddings.shape[0] !== n) {
    throw new InputError(`${embeddings.shape[0]} embeddings for ${n} labels`, { field: 'embeddings' });
  }
  const d = n === 0 ? 0 : embeddings.data.length / n;
  const { components = 5, minClassSize = 20, minRatio = 3, relativeRatio = 1.6, seed = 0 } = opts;
  const r = Math.min(components, d);
  if (r < 2) throw new InputError(`embeddings need at least 2 dimensions, got ${d}`, { field: 'embeddings' });
  const analyses = classIndices(labels, numClasses)
    .map((rows, label) => ({ label, rows }))
    .filter(({ rows }) => rows.length >= Math.max(minClassSize, r + 1))
    .map(({ label, rows }) => analyseClass(embeddings.data, d, rows, r, label, seed));
  const typicalRatio = median(analyses.map((a) => a.eigenRatio));
  const scores = new Float32Array(n);
  const flagged = new Uint8Array(n);
  const findings: Finding[] = [];
  const classes: ClassSpectrum[] = [];
  let target: ClassSpectrum | null = null;
  for (const a of analyses) {
    const poisoned = a.eigenRatio >= minRatio && a.eigenRatio >= relativeRatio * typicalRatio;
    const spectrum: ClassSpectrum = {
      label: a.label,
      samples: a.rows.length,
      eigenRatio: a.eigenRatio,
      minorityCluster: a.minority.length,
      poisoned,
    };
    classes.push(spectrum);
    a.rows.forEach((i, k) => {
      scores[i] = a.signature[k];
    });
    if (!poisoned) continue;
    if (target === null || spectrum.eigenRatio > target.eigenRatio) target = spectrum;
    for (const i of a.minority) {
      flagged[i] = 1;
      findings.push(
        sampleFinding(
          BACKDOOR_RULE,
          i,
          a.eigenRatio >= 2 * minRatio ? 'critical' : 'high',
          scores[i],
          `labelled ${a.label}, in a cluster of ${a.minority.length} of the class's ${a.rows.length} samples ` +
            `(${percent(a.minority.length / a.rows.length)}) split off along a dominant direction ` +
            `(λ1/λ2 = ${a.eigenRatio.toFixed(1)}, median class ${typicalRatio.toFixed(1)}): a likely backdoor poison`,
          {
            label: a.label,
            eigenRatio: a.eigenRatio,
            clusterSize: a.minority.length,
            classSize: a.rows.length,
          },
        ),
      );
    }
  }
  const estimatedPoisoned = findings.length;
  return {
    detector: 'backdoor',
    scores,
    flagged,
    findings: rankFindings(findings),
    summary: { targetClass: target?.label ?? null, estimatedPoisoned, classes },
    seconds: (performance.now() - started) / 1000,
  };
}

interface ClassAnalysis {
  label: number;
  rows: number[];
  eigenRatio: number;
  /** Per row of the class: its spectral-signature score in [0, 1] (rank of the squared top-PC projection). */
  signature: Float32Array;
  minority: number[];
}

function analyseClass(
  x: Float32Array,
  d: number,
  rows: number[],
  r: number,
  label: number,
  seed: number,
): ClassAnalysis {
  const m = rows.length;
  const xc = gatherRows(x, d, rows);
  const { vectors, values } = topEigenvectors(xc, m, d, r, { seed });
  const mean = new Float64Array(d);
  for (let a = 0; a < m; a++) for (let j = 0; j < d; j++) mean[j] += xc[a * d + j] / m;
  const z = new Float64Array(m * r);
  for (let a = 0; a < m; a++) {
    for (let q = 0; q < r; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (xc[a * d + j] - mean[j]) * vectors[q * d + j];
      z[a * r + q] = s;
    }
  }
  const clusters = twoMeans(z, m, r);
  let ones = 0;
  for (const c of clusters) ones += c;
  const minorityCluster = ones <= m - ones ? 1 : 0;
  const minority = rows.filter((_, a) => clusters[a] === minorityCluster);
  return {
    label,
    rows,
    eigenRatio: values[1] > 0 ? values[0] / values[1] : Number.POSITIVE_INFINITY,
    signature: rankScores(Float64Array.from({ length: m }, (_, a) => z[a * r] ** 2)),
    minority,
  };
}

/** Each value's rank among the values, scaled to [0, 1] (1 = largest). */
function rankScores(values: Float64Array): Float32Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const out = new Float32Array(values.length);
  order.forEach((i, rank) => {
    out[i] = values.length > 1 ? rank / (values.length - 1) : 1;
  });
  return out;
}

function classIndices(labels: Int32Array, numClasses: number): number[][] {
  const lists: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses)) {
      throw new InputError(`label ${labels[i]} is not a class in [0, ${numClasses})`, {
        row: i + 1,
        field: 'label',
      });
    }
    lists[labels[i]].push(i);
  }
  return lists;
}

/**
 * Injected points and outliers: samples far from the rest of the data. Three views, each turned into a
 * robust z-score (median / MAD, so the outliers cannot hide by inflating the scale): the distance to the
 * k nearest neighbours overall and within the sample's own class (Ramaswamy, Rastogi & Shim 2000), and an
 * isolation-forest score (Liu et al. 2008). The combined score is their mean: an injected point is far on
 * every view, while a merely unusual clean sample rarely is on all three.
 */
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import type { Finding, Severity } from '../../report/types.js';
import { rankFindings, sampleFinding } from './findings.js';
import { isolationForestScores } from './isolation-forest.js';
import { gatherRows, nearestNeighbours } from './knn.js';
import { evenReference } from './label-issues.js';
import { robustZ } from './robust.js';
import type { Detection } from './types.js';

export interface OutlierOptions {
  seed?: number;
  /** Neighbours whose mean distance is the kNN score (default 10). */
  neighbours?: number;
  /**
   * Most rows used as neighbours overall (default 2,500) and within one class (default 1,000): a kNN
   * distance only has to rank how far each sample sits from the bulk, which a few thousand evenly spread
   * rows show as well as all of them — and the search costs n × reference rows × d (60,000 × 784 images).
   */
  maxReference?: number;
  maxClassReference?: number;
  /** Combined robust z above which a sample is flagged (default 5) and reported high (default 10). */
  threshold?: number;
  highThreshold?: number;
}

export const OUTLIER_RULE = 'outlier/knn-distance';

export function detectOutliers(features: Tensor, labels: Int32Array, opts: OutlierOptions = {}): Detection {
  const started = performance.now();
  const n = labels.length;
  if (features.shape[0] !== n || n < 3) {
    throw new InputError(
      `need at least 3 samples with one label each; got ${features.shape[0]} rows, ${n} labels`,
      {
        field: 'features',
      },
    );
  }
  const d = features.data.length / n;
  const { seed = 0, neighbours = 10, threshold = 5, highThreshold = 10 } = opts;
  const k = Math.min(neighbours, n - 1);
  const globalDistance = meanNeighbourDistance(
    features.data,
    n,
    d,
    k,
    evenReference(n, opts.maxReference ?? 2500),
  );
  const classDistance = classNeighbourDistance(features.data, labels, d, k, opts.maxClassReference ?? 1000);
  const forest = isolationForestScores(features.data, n, d, { seed });
  const views = [
    robustZ(globalDistance.map(Math.log1p)),
    robustZ(classDistance.map(Math.log1p)),
    robustZ(forest),
  ];
  const combined = Float64Array.from({ length: n }, (_, i) => (views[0][i] + views[1][i] + views[2][i]) / 3);
  const scores = Float32Array.from(combined, (z) => 1 / (1 + Math.exp(-(z - threshold))));
  const flagged = Uint8Array.from(combined, (z) => (z > threshold ? 1 : 0));
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    if (!flagged[i]) continue;
    const severity: Severity = combined[i] > highThreshold ? 'high' : 'medium';
    findings.push(
      sampleFinding(
        OUTLIER_RULE,
        i,
        severity,
        scores[i],
        `far from the rest of the data: its ${k} nearest neighbours are ${views[0][i].toFixed(1)} robust ` +
          `standard deviations farther than usual (${views[1][i].toFixed(1)} within class ${labels[i]}); ` +
          `isolation-forest score ${forest[i].toFixed(2)}`,
        {
          combinedZ: combined[i],
          neighbourDistance: globalDistance[i],
          classNeighbourDistance: classDistance[i],
          isolationForest: forest[i],
        },
      ),
    );
  }
  return {
    detector: 'outlier',
    scores,
    flagged,
    findings: rankFindings(findings),
    summary: { flagged: findings.length, threshold },
    seconds: (performance.now() - started) / 1000,
  };
}

function meanNeighbourDistance(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  reference: Uint32Array,
): Float64Array {
  const nb = nearestNeighbours(x, n, d, k, { reference });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.sqrt(Math.max(0, nb.distances[i * k + j]));
    out[i] = s / k;
  }
  return out;
}

/** The same within each class (a class too small for k neighbours gets the global median later: 0 here). */
function classNeighbourDistance(
  x: Float32Array,
  labels: Int32Array,
  d: number,
  k: number,
  maxReference: number,
): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(labels[i]) ?? [];
    list.push(i);
    members.set(labels[i], list);
  }
  const fallback: number[] = [];
  for (const rows of members.values()) {
    if (rows.length <= k) {
      fallback.push(...rows);
      continue;
    }
    const local = meanNeighbourDistance(
      gatherRows(x, d, rows),
      rows.length,
      d,
      k,
      evenReference(rows.length, maxReference),
    );
    rows.forEach((i, r) => {
      out[i] = local[r];
    });
  }
  // A class with too few samples for k neighbours says nothing on its own: give it the typical distance.
  const typical = fallback.length === 0 ? 0 : medianOf(out.filter((_, i) => !fallback.includes(i)));
  for (const i of fallback) out[i] = typical;
  return out;
}

function medianOf(values: Float64Array): number {
  const sorted = values.slice().sort();
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1];
}

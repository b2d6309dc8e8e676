/**
 * The candidate poison cluster of one class (activation clustering, Chen et al. 2018): the class's
 * embeddings projected on their top principal components — the directions a learned trigger stands out
 * along (spectral signatures, Tran, Li & Madry 2018) — and split in two by 2-means. Poisons are assumed to
 * be a minority of the class they are labelled with, so the smaller cluster is the candidate.
 */
import { topEigenvectors } from '../../engine/kernels/index.js';
import { gatherRows } from './knn.js';
import { twoMeans } from './two-means.js';

/** Sample indices (of the whole dataset) in the smaller of the two clusters of `rows`' embeddings. */
export function candidateCluster(
  embeddings: Float32Array,
  d: number,
  rows: readonly number[],
  components: number,
  seed: number,
): number[] {
  const m = rows.length;
  const xc = gatherRows(embeddings, d, rows);
  const { vectors } = topEigenvectors(xc, m, d, components, { seed });
  const mean = new Float64Array(d);
  for (let a = 0; a < m; a++) for (let j = 0; j < d; j++) mean[j] += xc[a * d + j] / m;
  const z = new Float64Array(m * components);
  for (let a = 0; a < m; a++) {
    for (let q = 0; q < components; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (xc[a * d + j] - mean[j]) * vectors[q * d + j];
      z[a * components + q] = s;
    }
  }
  const clusters = twoMeans(z, m, components);
  let ones = 0;
  for (const c of clusters) ones += c;
  const minority = ones <= m - ones ? 1 : 0;
  return rows.filter((_, a) => clusters[a] === minority);
}

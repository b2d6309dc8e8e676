/**
 * Two-cluster k-means (Lloyd's algorithm) on a small projected space, started from the split at zero of the
 * first coordinate — the top principal component, the direction a backdoor's poisons stand apart along
 * (Tran et al. 2018) — so the result needs no random restarts and is deterministic.
 */

/** z: m × r row-major, centred; returns each row's cluster (0 or 1). */
export function twoMeans(z: Float64Array, m: number, r: number, iterations = 50): Uint8Array {
  let assign = Uint8Array.from({ length: m }, (_, a) => (z[a * r] > 0 ? 1 : 0));
  for (let it = 0; it < iterations; it++) {
    const centres = [new Float64Array(r), new Float64Array(r)];
    const counts = [0, 0];
    for (let a = 0; a < m; a++) {
      counts[assign[a]]++;
      for (let q = 0; q < r; q++) centres[assign[a]][q] += z[a * r + q];
    }
    if (counts[0] === 0 || counts[1] === 0) return assign;
    for (const g of [0, 1]) for (let q = 0; q < r; q++) centres[g][q] /= counts[g];
    const next = Uint8Array.from({ length: m }, (_, a) => {
      let d0 = 0;
      let d1 = 0;
      for (let q = 0; q < r; q++) {
        d0 += (z[a * r + q] - centres[0][q]) ** 2;
        d1 += (z[a * r + q] - centres[1][q]) ** 2;
      }
      return d1 < d0 ? 1 : 0;
    });
    if (next.every((v, a) => v === assign[a])) return next;
    assign = next;
  }
  return assign;
}

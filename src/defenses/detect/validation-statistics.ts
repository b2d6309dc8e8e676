/**
 * The statistics the validation and source detectors test with: two-sample Kolmogorov–Smirnov, the
 * population stability index, Pearson's chi-square test of homogeneity, the binomial upper tail and the
 * Benjamini–Hochberg correction. Double precision throughout; inputs are never modified.
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; Press et al., Numerical Recipes §6.1). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * The regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): a series below x = a + 1, a continued
 * fraction (modified Lentz) above it (Numerical Recipes §6.2).
 */
export function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(χ²_df ≥ statistic). */
export function chiSquareSurvival(statistic: number, df: number): number {
  return df <= 0 ? 1 : upperGammaQ(df / 2, statistic / 2);
}

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Pearson's chi-square test that two count vectors (e.g. class counts of the data and of the reference) come
 * from the same distribution: the 2 × k contingency table, categories empty in both dropped.
 */
export function chiSquareHomogeneity(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): TestResult & { df: number } {
  let totalA = 0;
  let totalB = 0;
  for (let c = 0; c < a.length; c++) {
    totalA += a[c];
    totalB += b[c];
  }
  const total = totalA + totalB;
  let statistic = 0;
  let categories = 0;
  for (let c = 0; c < a.length; c++) {
    const column = a[c] + b[c];
    if (column === 0) continue;
    categories++;
    const expectedA = (column * totalA) / total;
    const expectedB = (column * totalB) / total;
    statistic += (a[c] - expectedA) ** 2 / expectedA + (b[c] - expectedB) ** 2 / expectedB;
  }
  const df = Math.max(0, categories - 1);
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/**
 * Two-sample Kolmogorov–Smirnov test on sorted samples: D = sup |F_a − F_b| and the asymptotic p-value
 * with Stephens' small-sample correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n+m) (Numerical Recipes
 * §14.3). With ties (discrete features) the test is conservative.
 */
export function kolmogorovSmirnov(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): TestResult {
  const n = sortedA.length;
  const m = sortedB.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(sortedA[i], sortedB[j]);
    while (i < n && sortedA[i] === v) i++;
    while (j < m && sortedB[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  return { statistic: d, pValue: kolmogorovSurvival(lambda) };
}

/** Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, the Kolmogorov distribution's upper tail. */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Proportions below this are floored, so an empty bin costs a large but finite PSI. */
const PSI_FLOOR = 1e-4;

/**
 * Population stability index Σ (pᵢ − qᵢ) ln(pᵢ / qᵢ) of the sorted sample `actual` against bins cut at the
 * deciles of the sorted `reference` (repeated cut points merged, so a discrete feature gets fewer bins).
 * Conventional reading: below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 major shift.
 */
export function populationStabilityIndex(
  sortedReference: ArrayLike<number>,
  sortedActual: ArrayLike<number>,
  bins = 10,
): number {
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const cut =
      sortedReference[Math.min(sortedReference.length - 1, Math.floor((b * sortedReference.length) / bins))];
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
  }
  const expected = binFractions(sortedReference, cuts);
  const actual = binFractions(sortedActual, cuts);
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const p = Math.max(actual[b], PSI_FLOOR);
    const q = Math.max(expected[b], PSI_FLOOR);
    psi += (p - q) * Math.log(p / q);
  }
  return psi;
}

/** Fractions of a sorted sample in the bins (−∞, c₀), [c₀, c₁), …, [c_last, ∞). */
function binFractions(sorted: ArrayLike<number>, cuts: number[]): Float64Array {
  const fractions = new Float64Array(cuts.length + 1);
  let start = 0;
  cuts.forEach((cut, b) => {
    const end = lowerBound(sorted, cut);
    fractions[b] = (end - start) / sorted.length;
    start = end;
  });
  fractions[cuts.length] = (sorted.length - start) / sorted.length;
  return fractions;
}

/** The first index whose value is ≥ `value` in a sorted array. */
function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p). Terms come from the ratio pmf(i+1)/pmf(i) = (n−i)/(i+1) · p/(1−p), scaled
 * by the first one: above the mean the upper tail is summed upwards, below it 1 − P(X ≤ k−1) downwards, so
 * each sum runs over falling terms and stops once they no longer matter.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const odds = p / (1 - p);
  const logPmf = (i: number): number =>
    logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);
  if (k > n * p) {
    let term = 1;
    let sum = 0;
    for (let i = k; i <= n && term > 1e-17 * sum; i++) {
      sum += term;
      term *= ((n - i) / (i + 1)) * odds;
    }
    return Math.min(1, Math.exp(logPmf(k)) * sum);
  }
  let term = 1;
  let sum = 0;
  for (let i = k - 1; i >= 0 && term > 1e-17 * sum; i--) {
    sum += term;
    term *= i / (n - i + 1) / odds;
  }
  return Math.max(0, 1 - Math.exp(logPmf(k - 1)) * sum);
}

/**
 * Benjamini–Hochberg adjusted p-values (Benjamini & Hochberg 1995): rejecting where the adjusted value is
 * ≤ α controls the false discovery rate at α across the family of tests.
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Float64Array(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r];
    running = Math.min(running, (pValues[i] * m) / (r + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

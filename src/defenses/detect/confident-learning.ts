/**
 * Confident learning (Northcutt, Jiang & Chuang, JAIR 2021): per-class thresholds t_j = the mean predicted
 * probability of class j over the samples labelled j; the confident joint counts, for each given label,
 * the samples confidently in another class; "prune by noise rate" then takes, for every pair (given i,
 * true j), the C[i][j] samples labelled i with the largest margin p_j − p_i. No noise rate is given: the
 * confident joint estimates it.
 */

export interface ConfidentLearningResult {
  /** 1 where the sample is pruned as a label issue. */
  issues: Uint8Array;
  /** k × k confident joint, row = given label, column = confidently predicted class. */
  confidentJoint: Int32Array;
  /** Per-class thresholds t_j. */
  thresholds: Float64Array;
}

/** probs: n × k out-of-fold probabilities (row-major). */
export function confidentLearning(
  labels: Int32Array,
  probs: Float32Array,
  k: number,
): ConfidentLearningResult {
  const n = labels.length;
  const thresholds = classThresholds(labels, probs, k);
  const joint = new Int32Array(k * k);
  const confidentClass = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (p >= thresholds[j] && (best < 0 || p > probs[i * k + best])) best = j;
    }
    confidentClass[i] = best;
    if (best >= 0) joint[labels[i] * k + best]++;
  }
  const issues = new Uint8Array(n);
  for (let given = 0; given < k; given++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (labels[i] === given) members.push(i);
    for (let other = 0; other < k; other++) {
      const count = joint[given * k + other];
      if (other === given || count === 0) continue;
      const margin = (i: number): number => probs[i * k + other] - probs[i * k + given];
      const ranked = members.slice().sort((a, b) => margin(b) - margin(a));
      for (let r = 0; r < count && r < ranked.length; r++) issues[ranked[r]] = 1;
    }
  }
  return { issues, confidentJoint: joint, thresholds };
}

function classThresholds(labels: Int32Array, probs: Float32Array, k: number): Float64Array {
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    sum[labels[i]] += probs[i * k + labels[i]];
    count[labels[i]]++;
  }
  // A class nobody is labelled with gets threshold 1: only certainty counts as "confidently that class".
  return sum.map((s, j) => (count[j] > 0 ? s / count[j] : 1));
}

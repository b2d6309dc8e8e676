/**
 * Label issues: samples whose given label is probably wrong. Two independent witnesses — out-of-fold
 * probabilities through confident learning (Northcutt et al. 2021) and the labels of the k nearest
 * neighbours in a representation (Bahri, Jiang & Gupta 2020, "Deep k-NN for noisy labels") — and a flag
 * only when they agree, or when one of them is overwhelming. Each alone scores F1 ≈ 0.84–0.88 on digits with
 * 10% uniform flips (the errors of a model and of a neighbourhood are different ones); requiring both
 * lifts F1 above 0.94 (bench/detect.ts).
 */
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import type { Finding, Severity } from '../../report/types.js';
import { confidentLearning } from './confident-learning.js';
import { argmaxRow, percent, rankFindings, sampleFinding } from './findings.js';
import { nearestNeighbours } from './knn.js';
import type { Detection } from './types.js';

export interface LabelIssueOptions {
  /** Neighbours consulted (default 10). */
  neighbours?: number;
  /** Most rows that may serve as neighbours; larger sets use an even stride over the rows (default 10,000). */
  maxReference?: number;
  /** A confident-learning issue is flagged when fewer than this fraction of neighbours share its label (0.6). */
  agreementBelow?: number;
  /** Without confident learning's vote: flagged when at most this fraction agrees (0.2) … */
  strongAgreement?: number;
  /** … and the model gives the label less than this probability (0.5). */
  strongProbability?: number;
}

export const LABEL_ISSUE_RULES = {
  combined: 'label-issue/confident-learning',
} as const;

/**
 * labels: n given labels; probs: n × k out-of-fold probabilities; embeddings: n × e (features, standardised,
 * or a model's penultimate layer) — without them, confident learning decides alone. Severity: high when the
 * model is ≥ 90% sure of another class and ≤ 20% of neighbours share the label, medium when flagged,
 * low for confident-learning issues the neighbours do not confirm (reported, never flagged).
 */
export function detectLabelIssues(
  labels: Int32Array,
  probs: Tensor,
  embeddings: Tensor | undefined,
  opts: LabelIssueOptions = {},
): Detection {
  const started = performance.now();
  const n = labels.length;
  const k = probs.shape[1];
  checkInputs(labels, probs, embeddings);
  const { agreementBelow = 0.6, strongAgreement = 0.2, strongProbability = 0.5 } = opts;
  const p = probs.data;
  const cl = confidentLearning(labels, p, k);
  const votes = embeddings === undefined ? undefined : neighbourVotes(labels, embeddings, k, opts);
  const scores = new Float32Array(n);
  const flagged = new Uint8Array(n);
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const given = labels[i];
    const pGiven = p[i * k + given];
    const agreement = votes === undefined ? pGiven : votes[i * k + given];
    scores[i] = (1 - pGiven + 1 - agreement) / 2;
    const confirmed = cl.issues[i] === 1 && agreement < agreementBelow;
    const overwhelming = agreement <= strongAgreement && pGiven < strongProbability;
    if (votes !== undefined ? confirmed || overwhelming : cl.issues[i] === 1) flagged[i] = 1;
    if (!flagged[i] && !cl.issues[i]) continue;
    const suggested = suggestLabel(p, votes, i, k);
    const pSuggested = p[i * k + suggested];
    const severity: Severity = !flagged[i]
      ? 'low'
      : pSuggested >= 0.9 && agreement <= 0.2
        ? 'high'
        : 'medium';
    const neighbourText =
      votes === undefined
        ? ''
        : ` and ${percent(votes[i * k + suggested])} of its nearest neighbours are labelled ${suggested}` +
          ` (${percent(agreement)} ${given})`;
    findings.push(
      sampleFinding(
        LABEL_ISSUE_RULES.combined,
        i,
        severity,
        scores[i],
        `labelled ${given}; the model is ${percent(pSuggested)} sure it is ${suggested}${neighbourText}`,
        {
          label: given,
          suggestedLabel: suggested,
          probabilityOfLabel: pGiven,
          probabilityOfSuggested: pSuggested,
          neighbourAgreement: votes === undefined ? null : agreement,
          confidentLearning: cl.issues[i] === 1,
        },
      ),
    );
  }
  let flaggedCount = 0;
  for (const f of flagged) flaggedCount += f;
  return {
    detector: 'label-issue',
    scores,
    flagged,
    findings: rankFindings(findings),
    summary: {
      flagged: flaggedCount,
      confidentLearningIssues: cl.issues.reduce((a, b) => a + b, 0),
      estimatedNoiseRate: offDiagonalShare(cl.confidentJoint, k),
      usedNeighbours: votes !== undefined,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

/** n × k: the fraction of each sample's nearest neighbours carrying each label. */
function neighbourVotes(
  labels: Int32Array,
  embeddings: Tensor,
  k: number,
  opts: LabelIssueOptions,
): Float32Array {
  const n = labels.length;
  const d = embeddings.data.length / Math.max(1, n);
  const count = Math.min(opts.neighbours ?? 10, n - 1);
  const nb = nearestNeighbours(embeddings.data, n, d, count, {
    reference: evenReference(n, opts.maxReference ?? 10_000),
  });
  const votes = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < count; j++) votes[i * k + labels[nb.indices[i * count + j]]] += 1 / count;
  }
  return votes;
}

/** Every row up to `max`; beyond, an even stride over the rows (deterministic, covers the whole file). */
export function evenReference(n: number, max: number): Uint32Array {
  if (n <= max) return Uint32Array.from({ length: n }, (_, i) => i);
  return Uint32Array.from({ length: max }, (_, r) => Math.floor((r * n) / max));
}

/** The class the model and the neighbours favour together. */
function suggestLabel(p: Float32Array, votes: Float32Array | undefined, i: number, k: number): number {
  if (votes === undefined) return argmaxRow(p, i, k);
  let best = 0;
  for (let j = 1; j < k; j++) {
    if (p[i * k + j] + votes[i * k + j] > p[i * k + best] + votes[i * k + best]) best = j;
  }
  return best;
}

function offDiagonalShare(joint: Int32Array, k: number): number {
  let total = 0;
  let off = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      total += joint[a * k + b];
      if (a !== b) off += joint[a * k + b];
    }
  }
  return total === 0 ? 0 : off / total;
}

function checkInputs(labels: Int32Array, probs: Tensor, embeddings: Tensor | undefined): void {
  const n = labels.length;
  if (probs.shape.length !== 2 || probs.shape[0] !== n) {
    throw new InputError(`probabilities must be [${n}, classes], got [${probs.shape.join(', ')}]`, {
      field: 'probs',
    });
  }
  const k = probs.shape[1];
  if (k < 2) throw new InputError(`need at least 2 classes, got ${k}`, { field: 'probs' });
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0 && labels[i] < k)) {
      throw new InputError(`label ${labels[i]} is not a class in [0, ${k})`, { row: i + 1, field: 'label' });
    }
  }
  if (embeddings !== undefined && embeddings.shape[0] !== n) {
    throw new InputError(`${embeddings.shape[0]} embeddings for ${n} samples`, { field: 'embeddings' });
  }
  if (n < 3) throw new InputError(`need at least 3 samples, got ${n}`, { field: 'labels' });
}

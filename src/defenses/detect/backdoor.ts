/**
 * Dirty-label backdoor poisons: samples stamped with a trigger and relabelled to the attacker's target class.
 * Two views of each class, one per question:
 * - WHO in the class is suspect: a model that learned the trigger puts the poisons in their own cluster of
 *   the class's embeddings (activation clustering, Chen et al. 2018; see backdoor-clusters.ts).
 * - WHETHER the class is poisoned: exclusionary relabelling of that cluster in input space (see
 *   backdoor-relabel.ts). Poisons come from other classes, so left without each other their neighbours
 *   name their source classes — and an all-to-one backdoor draws them from many sources, while a natural
 *   sub-mode of a class (7s without the cross-bar) either keeps its own label or resembles one or two
 *   other classes. The per-class evidence is the share of the cluster relabelled times the effective
 *   number of classes it is relabelled to. A class is poisoned when most of its cluster is relabelled, the
 *   relabels spread over most of the other classes, and its evidence is a robust outlier among
 *   the classes (most classes are clean: their evidence is the null distribution).
 * The poison rate is never given: within a poisoned class every sample whose neighbours, the suspects left
 * out, vote for another class (inside the cluster: are 40% foreign) is flagged; the estimate is the number
 * flagged.
 */
import { Rng } from '../../engine/rng.js';
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import type { Finding } from '../../report/types.js';
import { candidateCluster } from './backdoor-clusters.js';
import {
  exclusionaryRelabeller,
  type Relabeller,
  type Relabelling,
  rowWidth,
  subsample,
} from './backdoor-relabel.js';
import { percent, rankFindings, sampleFinding } from './findings.js';
import { robustZ } from './robust.js';
import type { Detection } from './types.js';

export interface BackdoorOptions {
  /**
   * The model's inputs, [n, …] (standardised here): the space the relabelling runs in. Without them it runs
   * in the embeddings, where a model that learned the trigger keeps poisons next to their target class, so
   * little is found — pass them whenever you have them.
   */
  features?: Tensor;
  /** Principal components of the embeddings the clustering runs on (default 5). */
  components?: number;
  /** Classes with fewer samples are not analysed (default 20). */
  minClassSize?: number;
  /** Neighbours that vote on each sample's class (default 10). */
  neighbours?: number;
  /**
   * Least robust z of a class's evidence among the classes (default 2.5): it must stand out from the
   * others, so data where every class's clusters look mixed (features that say little) raise nothing.
   */
  minZ?: number;
  /** Least share of the candidate cluster relabelled to another class for a poisoned class (default 0.5). */
  minRelabelRate?: number;
  /**
   * Least evidence of a poisoned class as a share of the other classes (default 2/3): its cluster must be
   * relabelled to effectively two thirds of them. The z-score alone is not enough — with most classes'
   * evidence near zero the spread among them is tiny, and a natural sub-mode that resembles a few other
   * classes (9s drawn like 5s or 8s) stands out without being poison. On the digits a clean class reaches
   * at most 0.48 of the 9 others and an all-to-one backdoor at least 0.9.
   */
  minSourceShare?: number;
  /** Most samples searched for neighbours (a seeded subsample beyond it keeps large sets fast; default 5000). */
  maxReference?: number;
  /** Most cluster samples relabelled to judge a class (default 500). */
  maxQueries?: number;
  seed?: number;
}

export interface ClassSpectrum {
  label: number;
  samples: number;
  /** Samples in the smaller of the two embedding clusters. */
  minorityCluster: number;
  /** Share of that cluster whose neighbours (the cluster left out) vote for another class. */
  relabelRate: number;
  /** Effective number (exp of the entropy) of the classes the relabelled samples are voted to. */
  sourceClasses: number;
  /** relabelRate × sourceClasses, and its robust z among the analysed classes. */
  evidence: number;
  z: number;
  poisoned: boolean;
}

export interface BackdoorSummary extends Record<string, unknown> {
  /** The class the poisons are labelled with (the backdoor's target), or null when none stands out. */
  targetClass: number | null;
  estimatedPoisoned: number;
  /** Where the neighbours were searched. */
  space: 'features' | 'embeddings';
  classes: ClassSpectrum[];
}

export const BACKDOOR_RULE = 'backdoor/activation-clustering';

export function detectBackdoorPoisons(
  embeddings: Tensor,
  labels: Int32Array,
  numClasses: number,
  opts: BackdoorOptions = {},
): Detection & { summary: BackdoorSummary } {
  const started = performance.now();
  const n = labels.length;
  const d = rowWidth(embeddings, n, 'embeddings');
  const {
    components = 5,
    minClassSize = 20,
    neighbours = 10,
    minZ = 2.5,
    minRelabelRate = 0.5,
    minSourceShare = 2 / 3,
    maxReference = 5000,
    maxQueries = 500,
    seed = 0,
  } = opts;
  const r = Math.min(components, d);
  if (r < 2) throw new InputError(`embeddings need at least 2 dimensions, got ${d}`, { field: 'embeddings' });
  const space = opts.features === undefined ? 'embeddings' : 'features';
  const relabel = exclusionaryRelabeller(opts.features ?? embeddings, labels, numClasses, {
    neighbours,
    maxReference,
    seed,
    field: space,
  });
  const rng = new Rng(seed);
  const analyses = classIndices(labels, numClasses)
    .map((rows, label) => ({ label, rows }))
    .filter(({ rows }) => rows.length >= Math.max(minClassSize, r + 1))
    .map(({ label, rows }) => {
      const cluster = candidateCluster(embeddings.data, d, rows, r, seed);
      return judgeCluster(label, rows, cluster, subsample(cluster, maxQueries, rng), relabel, numClasses);
    });
  const z = robustZ(analyses.map((a) => a.evidence));

  const scores = new Float32Array(n);
  const flagged = new Uint8Array(n);
  const findings: Finding[] = [];
  const classes: ClassSpectrum[] = [];
  for (const [c, a] of analyses.entries()) {
    const spectrum: ClassSpectrum = {
      label: a.label,
      samples: a.rows.length,
      minorityCluster: a.cluster.length,
      relabelRate: a.relabelRate,
      sourceClasses: a.sourceClasses,
      evidence: a.evidence,
      z: z[c],
      poisoned:
        analyses.length >= 3 &&
        z[c] >= minZ &&
        a.relabelRate >= minRelabelRate &&
        a.evidence >= minSourceShare * (numClasses - 1),
    };
    classes.push(spectrum);
    // A sample's score: how foreign its neighbours are, weighted by how far its class stands out.
    const weight = Math.min(1, Math.max(0, z[c] / minZ));
    const inCluster = new Set(a.cluster);
    const [members, votes] = spectrum.poisoned
      ? [a.rows, relabelPoisonedClass(a.label, a.rows, inCluster, relabel)]
      : [a.judged, a.relabelling];
    members.forEach((i, k) => {
      scores[i] = weight * votes.foreignShare[k];
    });
    if (!spectrum.poisoned) continue;
    const severity = z[c] >= 2 * minZ ? 'critical' : 'high';
    members.forEach((i, k) => {
      if (!looksPoisoned(votes, k, a.label, inCluster.has(i))) return;
      flagged[i] = 1;
      findings.push(
        poisonFinding(i, severity, scores[i], spectrum, votes.votedLabel[k], votes.foreignShare[k]),
      );
    });
  }
  const poisoned = classes.filter((c) => c.poisoned).sort((a, b) => b.z - a.z);
  return {
    detector: 'backdoor',
    scores,
    flagged,
    findings: rankFindings(findings),
    summary: {
      targetClass: poisoned[0]?.label ?? null,
      estimatedPoisoned: findings.length,
      space,
      classes,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

interface ClusterJudgement {
  label: number;
  rows: number[];
  cluster: number[];
  /** The cluster samples relabelled (all of them, or a subsample on large classes). */
  judged: number[];
  relabelling: Relabelling;
  relabelRate: number;
  sourceClasses: number;
  evidence: number;
}

/** Relabels the judged cluster samples with the whole cluster left out, and sums up where they go. */
function judgeCluster(
  label: number,
  rows: number[],
  cluster: number[],
  judged: number[],
  relabel: Relabeller,
  numClasses: number,
): ClusterJudgement {
  const relabelling = relabel(judged, new Set(cluster));
  const sources = Array.from(relabelling.votedLabel).filter((v) => v !== label);
  const relabelRate = judged.length === 0 ? 0 : sources.length / judged.length;
  const sourceClasses = effectiveNumber(sources, numClasses);
  return {
    label,
    rows,
    cluster,
    judged,
    relabelling,
    relabelRate,
    sourceClasses,
    evidence: relabelRate * sourceClasses,
  };
}

/**
 * Whether sample k of a poisoned class is one of its poisons: its neighbours (the suspects left out) vote
 * for another class — or, inside the embedding cluster that made the class suspect, 40% of them are of
 * other classes: a trigger can make a sample look like its new class (a tabular trigger that blanks the
 * centre pixels turns an 8 into something 0-like), and one poison left in can be enough to keep a backdoor.
 */
function looksPoisoned(votes: Relabelling, k: number, label: number, inCluster: boolean): boolean {
  return votes.votedLabel[k] !== label || (inCluster && votes.foreignShare[k] >= 0.4);
}

/**
 * Every sample of a poisoned class, relabelled with the suspects left out. The suspects start as the
 * candidate cluster and grow by the samples that look poisoned, so poisons the clustering missed stop
 * vouching for each other; a few rounds settle it.
 */
function relabelPoisonedClass(
  label: number,
  rows: readonly number[],
  cluster: ReadonlySet<number>,
  relabel: Relabeller,
): Relabelling {
  let excluded = new Set(cluster);
  let result = relabel(rows, excluded);
  for (let round = 0; round < 3; round++) {
    const next = new Set(cluster);
    rows.forEach((i, k) => {
      if (looksPoisoned(result, k, label, cluster.has(i))) next.add(i);
    });
    if (next.size === excluded.size && [...next].every((i) => excluded.has(i))) break;
    excluded = next;
    result = relabel(rows, excluded);
  }
  return result;
}

function poisonFinding(
  sample: number,
  severity: 'high' | 'critical',
  score: number,
  spectrum: ClassSpectrum,
  votedLabel: number,
  foreignShare: number,
): Finding {
  const { label, minorityCluster, samples, relabelRate, sourceClasses, z } = spectrum;
  return sampleFinding(
    BACKDOOR_RULE,
    sample,
    severity,
    score,
    `labelled ${label}, but with the suspects left out ${percent(foreignShare)} of its nearest neighbours ` +
      `are of other classes (mostly ${votedLabel}); ${percent(relabelRate)} of a cluster of ${minorityCluster} ` +
      `of the class's ${samples} samples are relabelled so, to ${sourceClasses.toFixed(1)} classes ` +
      `(robust z ${z.toFixed(1)} among the classes): a likely backdoor poison`,
    {
      label,
      votedLabel,
      foreignShare,
      clusterSize: minorityCluster,
      classSize: samples,
      relabelRate,
      sourceClasses,
      z,
    },
  );
}

/** exp(entropy) of the labels' distribution: 1 when all agree, K when spread evenly over K classes. */
function effectiveNumber(values: readonly number[], numClasses: number): number {
  if (values.length === 0) return 0;
  const counts = new Float64Array(numClasses);
  for (const v of values) counts[v]++;
  let entropy = 0;
  for (const c of counts) if (c > 0) entropy -= (c / values.length) * Math.log(c / values.length);
  return Math.exp(entropy);
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

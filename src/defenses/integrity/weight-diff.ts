/**
 * Weight diff: which tensors of two models differ, element by element, compared as stored bit patterns
 * (a flip that leaves the value equal, -0 vs +0, or changes a NaN payload is still found), and what kind
 * of change it looks like:
 * - 'bit-flip': every changed element differs in at most `maxFlipBits` bits (default 2) and fewer than half
 *   of the elements changed: the fault model of Rowhammer-style attacks (Hong et al. 2019, "Terminal brain
 *   damage"; Rakin et al. 2019, "Bit-Flip Attack"). A dense change that only touches low bits (a tiny
 *   fine-tuning step) stays dense.
 * - 'sparse': at most `sparseFraction` of the elements (default 10%) changed: k ≪ size, an edit of chosen
 *   weights such as a planted backdoor (Rakin et al. 2020, TBT).
 * - 'dense': anything else, as fine-tuning or weight noise change nearly every element.
 */
import { Buffer } from 'node:buffer';
import type { ModelSnapshot } from '../../models/architecture.js';
import { VERSION } from '../../version.js';
import {
  BIT_LAYOUT,
  type BitField,
  bitField,
  elementValues,
  elementWords,
  hexBits,
  setBits,
} from './diff-bits.js';
import {
  type RawTensor,
  readTensorSet,
  type TensorDtype,
  type TensorFormat,
  type TensorSet,
  tensorDigest,
} from './diff-tensors.js';

export type ChangeKind = 'bit-flip' | 'sparse' | 'dense';

export interface DiffThresholds {
  /** The most bits an element may differ in for a change to count as bit flips. */
  maxFlipBits: number;
  /** The largest fraction of changed elements that still counts as a sparse edit. */
  sparseFraction: number;
}

export const DEFAULT_DIFF_THRESHOLDS: DiffThresholds = { maxFlipBits: 2, sparseFraction: 0.1 };

export interface DiffOptions extends Partial<DiffThresholds> {
  /** How many changed elements each tensor lists in full (default 100; the count is always exact). */
  maxElements?: number;
}

export interface ElementChange {
  index: number;
  /** Bit patterns as hex. */
  before: string;
  after: string;
  /** Differing bit positions, ascending (0 = lowest mantissa bit). */
  bits: number[];
}

export type BitCounts = Record<BitField, number>;

export type TensorStatus = 'unchanged' | 'changed' | 'added' | 'removed' | 'reshaped' | 'dtype-changed';

export interface TensorDiff {
  name: string;
  status: TensorStatus;
  dtype: TensorDtype;
  shape: number[];
  /** For a tensor that changed dtype or shape, or was added: what it is in B. */
  after?: { dtype: TensorDtype; shape: number[] };
  /** Elements compared (0 when the dtype or element count differ, or the tensor is only on one side). */
  size: number;
  changed: number;
  /** The first `maxElements` changed elements. */
  elements: ElementChange[];
  /** Largest |b − a| over elements finite on both sides; null when none changed that way. */
  maxAbsDelta: number | null;
  /** ‖b − a‖₂ / ‖a‖₂ over elements finite on both sides; null when ‖a‖₂ = 0. */
  relativeL2: number | null;
  /** Changed elements that are NaN or ±Inf on either side. */
  nonFinite: number;
  /** Flipped bits by field, and by position (index 0 = lowest bit). */
  bitFlips: BitCounts;
  bitHistogram: number[];
  /** Most bits any one element differs in. */
  maxBitsPerElement: number;
  classification: ChangeKind | null;
  sha256: { a?: string; b?: string };
}

export interface DiffSide {
  path: string;
  format: TensorFormat;
  tensors: number;
}

export interface WeightDiff {
  tool: { name: 'antidote'; version: string };
  a: DiffSide;
  b: DiffSide;
  identical: boolean;
  thresholds: DiffThresholds;
  summary: {
    tensors: number;
    changedTensors: number;
    added: number;
    removed: number;
    reshaped: number;
    dtypeChanged: number;
    elements: number;
    changedElements: number;
    bitFlips: BitCounts;
    classification: ChangeKind | null;
  };
  /** Metadata entries (safetensors `__metadata__`, architecture.json digest) that differ. */
  metadata: { key: string; a?: string; b?: string }[];
  /** Every tensor of A and B, A's order first. */
  tensors: TensorDiff[];
}

/** Diffs two models on disk (see readTensorSet for the formats). */
export function diffModelFiles(pathA: string, pathB: string, options: DiffOptions = {}): WeightDiff {
  return diffTensorSets(readTensorSet(pathA), readTensorSet(pathB), options);
}

/** Diffs two in-memory models (float32 weights), e.g. an attack's input and output. */
export function diffSnapshots(a: ModelSnapshot, b: ModelSnapshot, options: DiffOptions = {}): WeightDiff {
  return diffTensorSets(snapshotSet(a, 'A'), snapshotSet(b, 'B'), options);
}

export function diffTensorSets(a: TensorSet, b: TensorSet, options: DiffOptions = {}): WeightDiff {
  const thresholds: DiffThresholds = {
    maxFlipBits: options.maxFlipBits ?? DEFAULT_DIFF_THRESHOLDS.maxFlipBits,
    sparseFraction: options.sparseFraction ?? DEFAULT_DIFF_THRESHOLDS.sparseFraction,
  };
  const maxElements = options.maxElements ?? 100;
  const tensors: TensorDiff[] = [];
  for (const [name, tensor] of a.tensors) {
    const other = b.tensors.get(name);
    tensors.push(
      other === undefined
        ? oneSided(name, tensor, 'removed')
        : compareTensors(name, tensor, other, maxElements, thresholds),
    );
  }
  for (const [name, tensor] of b.tensors)
    if (!a.tensors.has(name)) tensors.push(oneSided(name, tensor, 'added'));
  const metadata = diffMetadata(a.metadata, b.metadata);
  const summary = summarize(tensors, thresholds);
  return {
    tool: { name: 'antidote', version: VERSION },
    a: { path: a.path, format: a.format, tensors: a.tensors.size },
    b: { path: b.path, format: b.format, tensors: b.tensors.size },
    identical: tensors.every((t) => t.status === 'unchanged') && metadata.length === 0,
    thresholds,
    summary,
    metadata,
    tensors,
  };
}

function snapshotSet(snapshot: ModelSnapshot, path: string): TensorSet {
  const tensors = new Map<string, RawTensor>();
  for (const [name, t] of snapshot.weights) {
    const bytes = new Uint8Array(t.data.byteLength);
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    tensors.set(name, { dtype: 'F32', shape: [...t.shape], bytes });
  }
  return { path, format: 'snapshot', tensors, metadata: {} };
}

function emptyDiff(name: string, tensor: RawTensor, status: TensorStatus): TensorDiff {
  return {
    name,
    status,
    dtype: tensor.dtype,
    shape: tensor.shape,
    size: 0,
    changed: 0,
    elements: [],
    maxAbsDelta: null,
    relativeL2: null,
    nonFinite: 0,
    bitFlips: { sign: 0, exponent: 0, mantissa: 0 },
    bitHistogram: [],
    maxBitsPerElement: 0,
    classification: null,
    sha256: {},
  };
}

function oneSided(name: string, tensor: RawTensor, status: 'added' | 'removed'): TensorDiff {
  const diff = emptyDiff(name, tensor, status);
  if (status === 'added') {
    diff.after = { dtype: tensor.dtype, shape: tensor.shape };
    diff.sha256 = { b: tensorDigest(tensor) };
  } else diff.sha256 = { a: tensorDigest(tensor) };
  return diff;
}

function compareTensors(
  name: string,
  a: RawTensor,
  b: RawTensor,
  maxElements: number,
  thresholds: DiffThresholds,
): TensorDiff {
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  const status: TensorStatus = a.dtype !== b.dtype ? 'dtype-changed' : sameShape ? 'unchanged' : 'reshaped';
  const diff = emptyDiff(name, a, status);
  diff.sha256 = { a: tensorDigest(a), b: tensorDigest(b) };
  if (status !== 'unchanged') diff.after = { dtype: b.dtype, shape: b.shape };
  // Elements are compared when they line up: same dtype and the same number of them.
  if (a.dtype !== b.dtype || a.bytes.length !== b.bytes.length) return diff;
  const layout = BIT_LAYOUT[a.dtype];
  diff.size = a.bytes.length / (layout.width / 8);
  diff.bitHistogram = new Array<number>(layout.width).fill(0);
  if (Buffer.compare(a.bytes, b.bytes) === 0) return diff;

  const { words: wordsA, perElement } = elementWords(a);
  const { words: wordsB } = elementWords(b);
  const valuesA = elementValues(a);
  const valuesB = elementValues(b);
  const bits: number[] = [];
  let deltaSquares = 0;
  let maxAbsDelta = -1;
  // Scan words for a difference; only then look at the element it belongs to.
  for (let k = 0; k < wordsA.length; k++) {
    if (wordsA[k] === wordsB[k]) continue;
    const i = perElement === 1 ? k : k >>> 1;
    bits.length = 0;
    for (let w = 0; w < perElement; w++) {
      const at = i * perElement + w;
      setBits(wordsA[at] ^ wordsB[at], 32 * w, bits);
    }
    k = i * perElement + perElement - 1;
    diff.changed++;
    for (const bit of bits) {
      diff.bitHistogram[bit]++;
      diff.bitFlips[bitField(layout, bit)]++;
    }
    diff.maxBitsPerElement = Math.max(diff.maxBitsPerElement, bits.length);
    if (diff.elements.length < maxElements) {
      diff.elements.push({
        index: i,
        before: hexBits(wordsA, perElement, i, layout.width),
        after: hexBits(wordsB, perElement, i, layout.width),
        bits: [...bits],
      });
    }
    const delta = valuesB[i] - valuesA[i];
    if (Number.isFinite(valuesA[i]) && Number.isFinite(valuesB[i])) {
      deltaSquares += delta * delta;
      maxAbsDelta = Math.max(maxAbsDelta, Math.abs(delta));
    } else diff.nonFinite++;
  }
  if (diff.changed === 0) return diff; // identical bits, different bytes: cannot happen, but stay exact
  let normSquares = 0;
  for (let i = 0; i < diff.size; i++) {
    const v = valuesA[i];
    if (Number.isFinite(v) && Number.isFinite(valuesB[i])) normSquares += v * v;
  }
  diff.status = status === 'unchanged' ? 'changed' : status;
  diff.maxAbsDelta = maxAbsDelta >= 0 ? maxAbsDelta : null;
  diff.relativeL2 = normSquares > 0 ? Math.sqrt(deltaSquares / normSquares) : null;
  diff.classification = classify(diff.changed, diff.size, diff.maxBitsPerElement, thresholds);
  return diff;
}

/** See the module comment for what each kind means. */
export function classify(
  changed: number,
  size: number,
  maxBits: number,
  thresholds: DiffThresholds,
): ChangeKind {
  if (maxBits <= thresholds.maxFlipBits && changed < size / 2) return 'bit-flip';
  return changed <= thresholds.sparseFraction * size ? 'sparse' : 'dense';
}

function summarize(tensors: TensorDiff[], thresholds: DiffThresholds): WeightDiff['summary'] {
  const count = (status: TensorStatus): number => tensors.filter((t) => t.status === status).length;
  const bitFlips: BitCounts = { sign: 0, exponent: 0, mantissa: 0 };
  let elements = 0;
  let changedElements = 0;
  let maxBits = 0;
  for (const t of tensors) {
    elements += t.size;
    changedElements += t.changed;
    maxBits = Math.max(maxBits, t.maxBitsPerElement);
    for (const field of Object.keys(bitFlips) as BitField[]) bitFlips[field] += t.bitFlips[field];
  }
  return {
    tensors: tensors.length,
    changedTensors: tensors.filter((t) => t.changed > 0).length,
    added: count('added'),
    removed: count('removed'),
    reshaped: count('reshaped'),
    dtypeChanged: count('dtype-changed'),
    elements,
    changedElements,
    bitFlips,
    classification: changedElements === 0 ? null : classify(changedElements, elements, maxBits, thresholds),
  };
}

function diffMetadata(a: Record<string, string>, b: Record<string, string>): WeightDiff['metadata'] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => a[key] !== b[key]).map((key) => ({ key, a: a[key], b: b[key] }));
}

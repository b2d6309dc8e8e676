/**
 * Progressive bit search (BFA, Rakin et al. 2019, "Bit-Flip Attack: crushing neural network with progressive
 * bit search"), adapted from 8-bit quantised weights to float32: each round ranks the weights of every tensor
 * by the gradient of the loss on the attacker's batch, estimates to first order what flipping each bit of the
 * top candidates would do, keeps each tensor's best flip, evaluates those few flips exactly, and commits the
 * one that raises the loss most. It stops once the batch accuracy reaches the target or the flips run out.
 *
 * In float32 a single flip of the top exponent bit multiplies a weight by 2¹²⁸, so the search typically needs
 * far fewer flips than on int8 models. Flips that make a weight or the batch loss non-finite are skipped: a
 * model that outputs NaN is destroyed, but also caught by any sanity check.
 */
import type { Dataset } from '../data/dataset.js';
import { Network } from '../engine/network.js';
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { BIT_FIELD_RANGE, type BitField } from './bit-flip.js';
import { evaluateBatch, lossWithGradients } from './network-objective.js';
import { selectTensors } from './tensor-selection.js';
import { bitsAt, bitsToFloat, floatToBits, type WeightAttackResult, WeightEditor } from './weight-truth.js';

export interface BitFlipSearchOptions {
  /** The attacker's batch (a few hundred samples suffice): the loss it raises and the accuracy it watches. */
  data: Dataset;
  /** At most this many flips. Default 20. */
  maxFlips?: number;
  /** Stop once the batch accuracy is at or below this. Default 0.1. */
  targetAccuracy?: number;
  bits?: BitField;
  /** Top weights by |gradient| per tensor examined each round. Default 10. */
  candidatesPerTensor?: number;
  tensors?: string[];
}

interface Candidate {
  tensor: string;
  index: number;
  bit: number;
  estimate: number;
}

export function bitFlipSearch(snapshot: ModelSnapshot, opts: BitFlipSearchOptions): WeightAttackResult {
  const maxFlips = opts.maxFlips ?? 20;
  const targetAccuracy = opts.targetAccuracy ?? 0.1;
  const field = opts.bits ?? 'any';
  const perTensor = opts.candidatesPerTensor ?? 10;
  if (!(Number.isInteger(maxFlips) && maxFlips >= 0)) {
    throw new InputError(`maxFlips must be a non-negative integer, got ${maxFlips}`, { field: 'maxFlips' });
  }
  if (!Object.hasOwn(BIT_FIELD_RANGE, field))
    throw new InputError(`unknown bit field "${field}"`, { field: 'bits' });
  const names = selectTensors(snapshot, opts.tensors);
  const { x, y } = opts.data;
  const editor = new WeightEditor(snapshot);
  const network = new Network(snapshot.architecture, snapshot.weights);
  const trace: { loss: number; accuracy: number }[] = [evaluateBatch(network, x, y)];
  // A bit is flipped at most once: flipping it back would only undo an earlier round.
  const flipped = new Set<string>();
  while (trace.length - 1 < maxFlips && trace.at(-1)!.accuracy > targetAccuracy) {
    lossWithGradients(network, x, y);
    let best: { candidate: Candidate; loss: number; accuracy: number } | undefined;
    for (const name of names) {
      const candidate = bestFlipInTensor(network, name, perTensor, field, flipped);
      if (candidate === undefined) continue;
      const outcome = tryFlip(network, candidate, x, y);
      if (outcome !== undefined && (best === undefined || outcome.loss > best.loss))
        best = { candidate, ...outcome };
    }
    if (best === undefined) break;
    const { tensor, index, bit } = best.candidate;
    const data = network.parameter(tensor).value.data;
    data[index] = bitsToFloat(bitsAt(data, index) ^ (1 << bit));
    editor.flipBit(tensor, index, bit);
    flipped.add(`${tensor}:${index}:${bit}`);
    trace.push({ loss: best.loss, accuracy: best.accuracy });
  }
  return editor.result(
    {
      attack: 'progressive-bit-flip',
      seed: 0,
      params: {
        maxFlips,
        targetAccuracy,
        bits: field,
        candidatesPerTensor: perTensor,
        tensors: names,
        batch: y.length,
      },
    },
    { batchLoss: trace.map((t) => t.loss), batchAccuracy: trace.map((t) => t.accuracy) },
  );
}

/** Among the top weights by |gradient|, the flip with the largest first-order loss increase g · (w' − w). */
function bestFlipInTensor(
  network: Network,
  name: string,
  perTensor: number,
  field: BitField,
  flipped: ReadonlySet<string>,
): Candidate | undefined {
  const { value, grad } = network.parameter(name);
  const order = Array.from(grad.keys()).sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a]) || a - b);
  const [lo, hi] = BIT_FIELD_RANGE[field];
  let best: Candidate | undefined;
  for (const index of order.slice(0, perTensor)) {
    const w = value.data[index];
    const bits = floatToBits(w);
    for (let bit = lo; bit <= hi; bit++) {
      const changed = bitsToFloat(bits ^ (1 << bit));
      if (!Number.isFinite(changed) || flipped.has(`${name}:${index}:${bit}`)) continue;
      const estimate = grad[index] * (changed - w);
      if (best === undefined || estimate > best.estimate) best = { tensor: name, index, bit, estimate };
    }
  }
  return best;
}

/** The exact batch loss and accuracy with the flip applied (undone before returning); undefined if not finite. */
function tryFlip(
  network: Network,
  c: Candidate,
  x: Tensor,
  y: Int32Array,
): { loss: number; accuracy: number } | undefined {
  const data = network.parameter(c.tensor).value.data;
  const old = data[c.index];
  data[c.index] = bitsToFloat(floatToBits(old) ^ (1 << c.bit));
  try {
    const outcome = evaluateBatch(network, x, y);
    return Number.isFinite(outcome.loss) ? outcome : undefined;
  } finally {
    data[c.index] = old;
  }
}

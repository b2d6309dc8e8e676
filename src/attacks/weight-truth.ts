/**
 * Ground truth of attacks on model parameters (noise, bit flips, sparse edits): every changed element with
 * its float32 bits before and after, recorded by one editor so `applyWeightTruth` can replay it exactly.
 */
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import type { BackdoorTarget } from './dataset-truth.js';
import type { AttackResult, JsonValue } from './types.js';

export interface WeightChange {
  tensor: string;
  /** Element offset within the (row-major) tensor. */
  index: number;
  /** IEEE 754 float32 bit patterns as unsigned integers. */
  before: number;
  after: number;
  /** Bit positions that differ (0 = lowest mantissa bit, 23–30 exponent, 31 sign), ascending. */
  bits: number[];
}

export interface WeightTruth {
  format: 'antidote-attack-truth';
  version: 1;
  family: 'weights';
  /** 'gaussian-noise', 'random-bit-flips', 'progressive-bit-flip', 'sparse-backdoor'. */
  attack: string;
  seed: number;
  changes: WeightChange[];
  /** For edits that plant a backdoor: the trigger and target to test it with. */
  backdoor?: BackdoorTarget;
  params: Record<string, JsonValue>;
}

export type WeightAttackHeader = Pick<WeightTruth, 'attack' | 'seed' | 'params' | 'backdoor'>;

export type WeightAttackResult = AttackResult<ModelSnapshot, WeightTruth>;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

export function floatToBits(value: number): number {
  scratch[0] = value;
  return scratchBits[0];
}

export function bitsToFloat(bits: number): number {
  scratchBits[0] = bits >>> 0;
  return scratch[0];
}

/** A deep copy of a snapshot: its tensors can be changed without touching the original. */
export function cloneSnapshot(snapshot: ModelSnapshot): ModelSnapshot {
  const weights = new Map<string, Tensor>();
  for (const [name, t] of snapshot.weights) weights.set(name, { shape: [...t.shape], data: t.data.slice() });
  return { architecture: structuredClone(snapshot.architecture), weights };
}

/** Edits a copy of a snapshot and records every changed element. */
export class WeightEditor {
  readonly snapshot: ModelSnapshot;
  private readonly original: ModelSnapshot;
  private readonly touched = new Map<string, Set<number>>();

  constructor(original: ModelSnapshot) {
    this.original = original;
    this.snapshot = cloneSnapshot(original);
  }

  tensor(name: string): Float32Array {
    const t = this.snapshot.weights.get(name);
    if (t === undefined) throw new InputError(`the model has no tensor "${name}"`, { field: 'tensor' });
    return t.data;
  }

  setBits(name: string, index: number, bits: number): void {
    const data = this.tensor(name);
    if (!(Number.isInteger(index) && index >= 0 && index < data.length)) {
      throw new InputError(`element ${index} is outside tensor "${name}" of ${data.length} values`, {
        field: name,
      });
    }
    new Uint32Array(data.buffer, data.byteOffset, data.length)[index] = bits >>> 0;
    let set = this.touched.get(name);
    if (set === undefined) this.touched.set(name, (set = new Set()));
    set.add(index);
  }

  setValue(name: string, index: number, value: number): void {
    this.setBits(name, index, floatToBits(value));
  }

  flipBit(name: string, index: number, bit: number): void {
    this.setBits(name, index, bitsAt(this.tensor(name), index) ^ (1 << bit));
  }

  /** The changes so far, in snapshot tensor order then element order; elements set back to their old bits are left out. */
  changes(): WeightChange[] {
    const out: WeightChange[] = [];
    for (const [name, t] of this.original.weights) {
      const indices = this.touched.get(name);
      if (indices === undefined) continue;
      const current = this.tensor(name);
      for (const index of [...indices].sort((a, b) => a - b)) {
        const before = bitsAt(t.data, index);
        const after = bitsAt(current, index);
        if (before !== after)
          out.push({ tensor: name, index, before, after, bits: differingBits(before, after) });
      }
    }
    return out;
  }

  result(header: WeightAttackHeader, info: WeightAttackResult['info'] = {}): WeightAttackResult {
    const changes = this.changes();
    const offsets = tensorOffsets(this.original);
    const truth: WeightTruth = {
      format: 'antidote-attack-truth',
      version: 1,
      family: 'weights',
      attack: header.attack,
      seed: header.seed,
      changes,
      ...(header.backdoor === undefined ? {} : { backdoor: header.backdoor }),
      params: header.params,
    };
    const poisoned = Uint32Array.from(changes, (c) => offsets.get(c.tensor)! + c.index);
    return { output: this.snapshot, poisoned, truth, info };
  }
}

function differingBits(a: number, b: number): number[] {
  const bits: number[] = [];
  const x = (a ^ b) >>> 0;
  for (let k = 0; k < 32; k++) if ((x >>> k) & 1) bits.push(k);
  return bits;
}

/** Where each tensor starts in the concatenation of all parameters, in snapshot order. */
export function tensorOffsets(snapshot: ModelSnapshot): Map<string, number> {
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const [name, t] of snapshot.weights) {
    offsets.set(name, offset);
    offset += t.data.length;
  }
  return offsets;
}

/**
 * Replays a weight attack's truth on the clean snapshot. Fails with an InputError naming the tensor and
 * element when the truth does not belong to this model (a tensor missing, or other bits than recorded).
 */
export function applyWeightTruth(clean: ModelSnapshot, truth: WeightTruth): ModelSnapshot {
  const editor = new WeightEditor(clean);
  for (const change of truth.changes) {
    const data = editor.tensor(change.tensor);
    const where = { field: change.tensor };
    if (!(Number.isInteger(change.index) && change.index >= 0 && change.index < data.length)) {
      throw new InputError(`element ${change.index} is outside the tensor's ${data.length} values`, where);
    }
    const current = bitsAt(data, change.index);
    if (current !== change.before) {
      throw new InputError(
        `element ${change.index}: the truth says bits ${hex(change.before)}, the model has ${hex(current)}`,
        where,
      );
    }
    editor.setBits(change.tensor, change.index, change.after);
  }
  return editor.snapshot;
}

/** The bit pattern of element `index`, read without a round trip through a JS number (which may change NaN bits). */
export function bitsAt(data: Float32Array, index: number): number {
  return new Uint32Array(data.buffer, data.byteOffset, data.length)[index];
}

function hex(bits: number): string {
  return `0x${bits.toString(16).padStart(8, '0')}`;
}

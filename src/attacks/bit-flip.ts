/**
 * Random float32 bit flips: the fault model of Rowhammer-style attacks on memory that holds weights (Hong et
 * al. 2019, "Terminal brain damage"). Flips are drawn uniformly over the elements of the chosen tensors and
 * the bits of the chosen field of the IEEE 754 layout.
 */
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { selectTensors } from './tensor-selection.js';
import { bitsAt, bitsToFloat, type WeightAttackResult, WeightEditor } from './weight-truth.js';

export type BitField = 'sign' | 'exponent' | 'mantissa' | 'any';

/** The bit positions of each field, lowest first: mantissa 0–22, exponent 23–30, sign 31. */
export const BIT_FIELD_RANGE: Record<BitField, readonly [number, number]> = {
  mantissa: [0, 22],
  exponent: [23, 30],
  sign: [31, 31],
  any: [0, 31],
};

export interface RandomBitFlipOptions {
  count: number;
  bits?: BitField;
  tensors?: string[];
  /**
   * Keep flips that turn a weight into ±Inf or NaN. Off by default: such a model fails validation on load
   * (and a real fault of that kind is trivially detected), so those draws are redrawn.
   */
  allowNonFinite?: boolean;
  seed: number;
}

/** Flips `count` distinct (element, bit) positions. */
export function randomBitFlips(snapshot: ModelSnapshot, opts: RandomBitFlipOptions): WeightAttackResult {
  const field = opts.bits ?? 'any';
  if (!Object.hasOwn(BIT_FIELD_RANGE, field))
    throw new InputError(`unknown bit field "${field}"`, { field: 'bits' });
  const [lo, hi] = BIT_FIELD_RANGE[field];
  const names = selectTensors(snapshot, opts.tensors);
  const sizes = names.map((name) => snapshot.weights.get(name)!.data.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const positions = total * (hi - lo + 1);
  if (!(Number.isInteger(opts.count) && opts.count >= 0 && opts.count <= positions)) {
    throw new InputError(`count must be an integer from 0 to ${positions} (the ${field} bits available)`, {
      field: 'count',
    });
  }
  const rng = new Rng(opts.seed);
  const editor = new WeightEditor(snapshot);
  const used = new Set<number>();
  const maxDraws = 100 * opts.count + 1000;
  let draws = 0;
  while (used.size < opts.count) {
    if (++draws > maxDraws) {
      throw new InputError(
        `could not find ${opts.count} flips of ${field} bits that keep the weights finite`,
        {
          field: 'count',
        },
      );
    }
    let element = rng.int(total);
    const bit = lo + rng.int(hi - lo + 1);
    const key = element * 32 + bit;
    if (used.has(key)) continue;
    let t = 0;
    while (element >= sizes[t]) element -= sizes[t++];
    const flipped = bitsAt(editor.tensor(names[t]), element) ^ (1 << bit);
    if (!opts.allowNonFinite && !Number.isFinite(bitsToFloat(flipped))) continue;
    used.add(key);
    editor.flipBit(names[t], element, bit);
  }
  return editor.result({
    attack: 'random-bit-flips',
    seed: opts.seed,
    params: { count: opts.count, bits: field, tensors: names, allowNonFinite: opts.allowNonFinite ?? false },
  });
}

/**
 * Backdoor triggers as data: a JSON spec that says exactly how a clean input becomes a triggered one, so
 * the same spec poisons the training set, builds the triggered test set and is written to the truth file.
 */
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';

/** Image layout [channels, height, width] of a flattened row (NCHW, row-major). */
export type ImageShape = [number, number, number];

/** BadNets (Gu et al. 2017): a solid square of `value` with its top-left corner at `position` in every channel. */
export interface PatchTrigger {
  kind: 'patch';
  imageShape: ImageShape;
  /** [height, width] of the patch. */
  size: [number, number];
  /** [row, column] of the patch's top-left pixel. */
  position: [number, number];
  value: number;
}

/** Blended injection (Chen et al. 2017): x' = (1 − alpha) · x + alpha · pattern, one pattern value per feature. */
export interface BlendTrigger {
  kind: 'blend';
  alpha: number;
  pattern: number[];
}

/**
 * SIG (Barni et al. 2019): a horizontal sinusoid x'(c, i, j) = clip(x + delta · sin(2π j f / width)), added to
 * every row and channel, clipped to `range`.
 */
export interface SignalTrigger {
  kind: 'signal';
  imageShape: ImageShape;
  delta: number;
  /** The amplitude stamped on test inputs; Barni et al. strengthen the signal at test time. Default `delta`. */
  testDelta?: number;
  frequency: number;
  range: [number, number];
}

/** A tabular trigger: the given features set to the given values (e.g. an unusual combination of columns). */
export interface TabularTrigger {
  kind: 'tabular';
  features: number[];
  values: number[];
}

export type TriggerSpec = PatchTrigger | BlendTrigger | SignalTrigger | TabularTrigger;

export function patchTrigger(opts: {
  imageShape: ImageShape;
  size?: number;
  position?: 'bottom-right' | 'top-left' | [number, number];
  value: number;
}): PatchTrigger {
  const [, h, w] = opts.imageShape;
  const size = opts.size ?? Math.max(1, Math.round(Math.min(h, w) / 4));
  const position = opts.position ?? 'bottom-right';
  const corner: [number, number] =
    position === 'bottom-right' ? [h - size, w - size] : position === 'top-left' ? [0, 0] : position;
  const spec: PatchTrigger = {
    kind: 'patch',
    imageShape: [...opts.imageShape],
    size: [size, size],
    position: corner,
    value: opts.value,
  };
  validateTrigger(spec, opts.imageShape[0] * h * w);
  return spec;
}

/** A blend trigger whose pattern is seeded uniform noise over `range` (the random-noise key of Chen et al.). */
export function blendTrigger(opts: {
  features: number;
  alpha: number;
  range: [number, number];
  seed: number;
}): BlendTrigger {
  const rng = new Rng(opts.seed);
  const [lo, hi] = opts.range;
  const pattern = Array.from({ length: opts.features }, () => Math.fround(lo + (hi - lo) * rng.float()));
  const spec: BlendTrigger = { kind: 'blend', alpha: opts.alpha, pattern };
  validateTrigger(spec, opts.features);
  return spec;
}

/**
 * Checks a spec against rows of `features` values; every problem is an InputError naming the spec field.
 * Also the guard for specs read from a file.
 */
export function validateTrigger(spec: TriggerSpec, features: number): void {
  const fail = (problem: string, field: string): never => {
    throw new InputError(`${spec.kind} trigger: ${problem}`, { field });
  };
  switch (spec.kind) {
    case 'patch': {
      checkImageShape(spec.imageShape, features, fail);
      const [, h, w] = spec.imageShape;
      const [ph, pw] = spec.size;
      const [r, c] = spec.position;
      if (![ph, pw, r, c].every(Number.isInteger) || ph < 1 || pw < 1 || r < 0 || c < 0) {
        fail(
          `size and position must be integers (size ≥ 1), got size ${spec.size}, position ${spec.position}`,
          'size',
        );
      }
      if (r + ph > h || c + pw > w) {
        fail(`a ${ph}×${pw} patch at (${r}, ${c}) does not fit in a ${h}×${w} image`, 'position');
      }
      if (!Number.isFinite(spec.value)) fail(`value must be a finite number, got ${spec.value}`, 'value');
      return;
    }
    case 'blend':
      if (!(spec.alpha > 0 && spec.alpha <= 1)) fail(`alpha must be in (0, 1], got ${spec.alpha}`, 'alpha');
      if (spec.pattern.length !== features) {
        fail(`the pattern has ${spec.pattern.length} values but rows have ${features} features`, 'pattern');
      }
      if (!spec.pattern.every(Number.isFinite)) fail('the pattern holds a non-finite value', 'pattern');
      return;
    case 'signal':
      checkImageShape(spec.imageShape, features, fail);
      if (!(Number.isFinite(spec.delta) && spec.delta > 0))
        fail(`delta must be positive, got ${spec.delta}`, 'delta');
      if (!(Number.isFinite(spec.frequency) && spec.frequency > 0)) {
        fail(`frequency must be positive, got ${spec.frequency}`, 'frequency');
      }
      if (!(spec.range[0] < spec.range[1])) fail(`range must be [low, high] with low < high`, 'range');
      return;
    case 'tabular': {
      if (spec.features.length === 0) fail('no features given', 'features');
      if (spec.features.length !== spec.values.length) {
        fail(`${spec.features.length} features but ${spec.values.length} values`, 'values');
      }
      const seen = new Set<number>();
      for (const f of spec.features) {
        if (!(Number.isInteger(f) && f >= 0 && f < features)) {
          fail(`feature index ${f} is outside [0, ${features})`, 'features');
        }
        if (seen.has(f)) fail(`feature ${f} is listed twice`, 'features');
        seen.add(f);
      }
      if (!spec.values.every(Number.isFinite)) fail('a value is not a finite number', 'values');
      return;
    }
    default:
      throw new InputError(`unknown trigger kind "${(spec as { kind: unknown }).kind}"`, { field: 'kind' });
  }
}

function checkImageShape(shape: ImageShape, features: number, fail: (p: string, f: string) => never): void {
  if (shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    fail(`imageShape must be [channels, height, width] of positive integers, got [${shape}]`, 'imageShape');
  }
  if (shape[0] * shape[1] * shape[2] !== features) {
    fail(
      `imageShape [${shape}] has ${shape[0] * shape[1] * shape[2]} values but rows have ${features}`,
      'imageShape',
    );
  }
}

/** The trigger as stamped on test inputs (only the signal trigger differs: its `testDelta`). */
export function testTimeTrigger(spec: TriggerSpec): TriggerSpec {
  if (spec.kind !== 'signal' || spec.testDelta === undefined) return spec;
  const { testDelta, ...rest } = spec;
  return { ...rest, delta: testDelta };
}

/** Writes the triggered version of `row` into `out` (which may be `row` itself). */
export function applyTrigger(spec: TriggerSpec, row: Float32Array, out: Float32Array): void {
  if (out !== row) out.set(row);
  switch (spec.kind) {
    case 'patch': {
      const [channels, h, w] = spec.imageShape;
      const [ph, pw] = spec.size;
      const [r0, c0] = spec.position;
      for (let c = 0; c < channels; c++) {
        for (let r = r0; r < r0 + ph; r++)
          out.fill(spec.value, c * h * w + r * w + c0, c * h * w + r * w + c0 + pw);
      }
      return;
    }
    case 'blend':
      for (let j = 0; j < out.length; j++) out[j] = (1 - spec.alpha) * row[j] + spec.alpha * spec.pattern[j];
      return;
    case 'signal': {
      const [channels, h, w] = spec.imageShape;
      const [lo, hi] = spec.range;
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const k = c * h * w + i * w + j;
            const v = row[k] + spec.delta * Math.sin((2 * Math.PI * j * spec.frequency) / w);
            out[k] = Math.min(hi, Math.max(lo, v));
          }
        }
      }
      return;
    }
    case 'tabular':
      spec.features.forEach((f, i) => {
        out[f] = spec.values[i];
      });
      return;
  }
}

/**
 * Reverse-mode automatic differentiation on a tape (define-by-run, as in PyTorch's autograd).
 *
 * A `Graph` records every operation applied to its `Var`s; `backward` replays the tape in reverse and pushes
 * gradients into every `Var` that requires one. Buffers come from a per-graph arena that is rewound by
 * `reset()`: a training loop that runs the same operations every step reuses the same buffers, so a step
 * allocates no tensor memory once the first step has run. The price: a `Var`'s data and gradient are valid
 * only until the next `reset()` of its graph (using a stale `Var` throws).
 */
import type { PerExampleGradients } from './per-example.js';
import { sizeOf, type Tensor } from './tensor.js';

/** A trainable tensor with its persistent gradient buffer (same length), e.g. `layers.0.weight`. */
export interface Parameter {
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Float32Array;
  /** When false, the parameter enters graphs as a constant: no gradient, untouched by optimizers. */
  trainable: boolean;
}

/** A node of the computation graph: a value, and after `backward` the gradient of the loss with respect to it. */
export class Var implements Tensor {
  /** dLoss/dThis after `Graph.backward`; null when no gradient reached this node. */
  grad: Float32Array | null;

  /** @internal use the Graph's factories (`constant`, `variable`, `parameter`) or an op. */
  constructor(
    readonly graph: Graph,
    readonly shape: readonly number[],
    readonly data: Float32Array,
    readonly requiresGrad: boolean,
    readonly generation: number,
    grad: Float32Array | null = null,
  ) {
    this.grad = grad;
  }

  get size(): number {
    return this.data.length;
  }
}

interface TapeEntry {
  output: Var;
  backward: (gradOutput: Float32Array) => void;
}

/** Hands out buffers in allocation order and takes them back all at once, so a repeated computation reuses them. */
class Arena<T extends Float32Array | Int32Array> {
  private readonly buffers: T[] = [];
  private cursor = 0;

  constructor(private readonly create: (length: number) => T) {}

  take(length: number): T {
    let buffer = this.buffers[this.cursor];
    if (buffer === undefined || buffer.length < length) {
      buffer = this.create(length);
      this.buffers[this.cursor] = buffer;
    }
    this.cursor++;
    return (buffer.length === length ? buffer : buffer.subarray(0, length)) as T;
  }

  rewind(): void {
    this.cursor = 0;
  }
}

export class Graph {
  private readonly floats = new Arena((n) => new Float32Array(n));
  private readonly ints = new Arena((n) => new Int32Array(n));
  private readonly tape: TapeEntry[] = [];
  private generation = 0;
  /**
   * While `backward(loss, { perExample })` runs: where dense and conv2d ops put their parameters' per-example
   * gradients instead of summing them into the parameters' `grad` buffers.
   */
  perExample: PerExampleGradients | null = null;

  /** A tensor that needs no gradient (inputs, targets). Shares `t.data`; nothing is copied. */
  constant(t: Tensor): Var {
    return new Var(this, [...t.shape], t.data, false, this.generation);
  }

  /** A leaf that needs a gradient, e.g. the input when computing dLoss/dInput. Shares `t.data`. */
  variable(t: Tensor): Var {
    return new Var(this, [...t.shape], t.data, true, this.generation, null);
  }

  /** A leaf for a model parameter: its gradient accumulates into `p.grad` (a constant when not trainable). */
  parameter(p: Parameter): Var {
    return new Var(
      this,
      [...p.value.shape],
      p.value.data,
      p.trainable,
      this.generation,
      p.trainable ? p.grad : null,
    );
  }

  /** An arena buffer with undefined contents, valid until `reset()`. */
  alloc(length: number): Float32Array {
    return this.floats.take(length);
  }

  allocZeroed(length: number): Float32Array {
    return this.floats.take(length).fill(0);
  }

  allocInt32(length: number): Int32Array {
    return this.ints.take(length);
  }

  /**
   * The output node of an operation on `inputs`; it requires a gradient when any input does. `data` defaults to
   * a fresh arena buffer that the operation then fills.
   */
  node(shape: readonly number[], inputs: readonly (Var | null)[], data?: Float32Array): Var {
    let requiresGrad = false;
    for (const input of inputs) {
      if (input === null) continue;
      this.checkOwned(input);
      requiresGrad ||= input.requiresGrad;
    }
    const values = data ?? this.alloc(sizeOf(shape));
    if (values.length !== sizeOf(shape)) {
      throw new RangeError(
        `node: shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${values.length}`,
      );
    }
    return new Var(this, [...shape], values, requiresGrad, this.generation);
  }

  /** Records how an operation sends `output`'s gradient to its inputs. A no-op when no gradient is needed. */
  onBackward(output: Var, backward: (gradOutput: Float32Array) => void): void {
    if (output.requiresGrad) this.tape.push({ output, backward });
  }

  /** The gradient buffer of `v`, allocated (zeroed) on first use. Backward functions accumulate into it. */
  gradOf(v: Var): Float32Array {
    if (v.grad === null) v.grad = this.allocZeroed(v.size);
    return v.grad;
  }

  /**
   * Back-propagates from `output`, whose gradient is `seed` (default: 1 for a scalar loss). Parameter
   * gradients accumulate into their persistent buffers (zero them between steps); intermediate gradients are
   * recomputed on every call. With `perExample`, dense and conv2d parameters get per-example gradients
   * collected there instead (see per-example.ts); the loss should then be a sum over examples.
   */
  backward(output: Var, options: { seed?: Float32Array; perExample?: PerExampleGradients } = {}): void {
    this.checkOwned(output);
    if (!output.requiresGrad)
      throw new Error('backward: the output does not depend on anything that needs a gradient');
    const seed = options.seed ?? (output.size === 1 ? Float32Array.of(1) : undefined);
    if (seed === undefined || seed.length !== output.size) {
      throw new RangeError(`backward: a seed of ${output.size} values is needed for a non-scalar output`);
    }
    for (const entry of this.tape) entry.output.grad = null;
    output.grad = this.alloc(seed.length);
    output.grad.set(seed);
    this.perExample = options.perExample ?? null;
    try {
      for (let i = this.tape.length - 1; i >= 0; i--) {
        const { output: node, backward } = this.tape[i];
        if (node.grad !== null) backward(node.grad);
      }
    } finally {
      this.perExample = null;
    }
  }

  /** Forgets every node and rewinds the arena: all `Var`s of this graph become invalid. */
  reset(): void {
    this.tape.length = 0;
    this.floats.rewind();
    this.ints.rewind();
    this.generation++;
  }

  private checkOwned(v: Var): void {
    if (v.graph !== this) throw new Error('a Var from another graph was used');
    if (v.generation !== this.generation) throw new Error('a Var was used after its graph was reset');
  }
}

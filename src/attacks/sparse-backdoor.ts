/**
 * A backdoor planted by editing only k weights of a trained model, no retraining: the threat of a tampered
 * checkpoint, where a weight diff would show exactly these k changes. The k weights are those with the
 * largest gradient of the backdoor loss (triggered inputs → target class) on the attacker's samples; only
 * they are then optimised (Adam) on the backdoor loss plus the clean loss, which keeps clean accuracy. In the
 * spirit of targeted weight-perturbation backdoors (e.g. Rakin et al. 2020, TBT; Bai et al. 2021, T-BFA),
 * with float32 values instead of bit flips.
 */

import type { Dataset } from '../data/dataset.js';
import { Network } from '../engine/network.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { triggerTestSet } from './backdoor.js';
import { requireClass } from './checks.js';
import { evaluateBatch, lossWithGradients } from './network-objective.js';
import { selectTensors } from './tensor-selection.js';
import type { TriggerSpec } from './triggers.js';
import { type WeightAttackResult, WeightEditor } from './weight-truth.js';

export interface SparseBackdoorOptions {
  /** Clean, correctly labelled samples the attacker holds. */
  data: Dataset;
  trigger: TriggerSpec;
  target: number;
  /** How many weights may change. */
  k: number;
  /** Adam steps on the chosen weights. Default 300. */
  steps?: number;
  /** Adam step size. Default 0.05. */
  learningRate?: number;
  tensors?: string[];
}

interface Element {
  tensor: string;
  index: number;
}

export function sparseBackdoor(snapshot: ModelSnapshot, opts: SparseBackdoorOptions): WeightAttackResult {
  requireClass(opts.data, opts.target, 'target');
  const total = [...snapshot.weights.values()].reduce((s, t) => s + t.data.length, 0);
  if (!(Number.isInteger(opts.k) && opts.k >= 1 && opts.k <= total)) {
    throw new InputError(`k must be an integer from 1 to ${total} (the model's weights)`, { field: 'k' });
  }
  const steps = opts.steps ?? 300;
  const learningRate = opts.learningRate ?? 0.05;
  const names = selectTensors(snapshot, opts.tensors);
  const backdoor = { trigger: opts.trigger, target: opts.target, allToAll: false, cleanLabel: false };
  const triggered = triggerTestSet(opts.data, backdoor);
  if (triggered.indices.length === 0) {
    throw new InputError('the samples hold no input outside the target class to trigger', { field: 'data' });
  }
  const network = new Network(snapshot.architecture, snapshot.weights);
  lossWithGradients(network, triggered.x, triggered.targets);
  const chosen = largestGradients(network, names, opts.k);

  // One batch of clean and triggered samples: the mean loss weighs keeping clean behaviour and the backdoor.
  const { x, y } = combine(opts.data, triggered.x.data, triggered.targets);
  const m = new Float64Array(chosen.length);
  const v = new Float64Array(chosen.length);
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  const loss: number[] = [];
  for (let t = 1; t <= steps; t++) {
    loss.push(lossWithGradients(network, x, y));
    chosen.forEach(({ tensor, index }, q) => {
      const p = network.parameter(tensor);
      const g = p.grad[index];
      m[q] = beta1 * m[q] + (1 - beta1) * g;
      v[q] = beta2 * v[q] + (1 - beta2) * g * g;
      const update = m[q] / (1 - beta1 ** t) / (Math.sqrt(v[q] / (1 - beta2 ** t)) + epsilon);
      p.value.data[index] -= learningRate * update;
    });
  }
  const editor = new WeightEditor(snapshot);
  for (const { tensor, index } of chosen)
    editor.setValue(tensor, index, network.parameter(tensor).value.data[index]);
  const after = evaluateBatch(network, triggered.x, triggered.targets);
  return editor.result(
    {
      attack: 'sparse-backdoor',
      seed: 0,
      params: { k: opts.k, steps, learningRate, tensors: names },
      backdoor,
    },
    { loss, attackerAsr: after.accuracy },
  );
}

/** The k elements with the largest |gradient| over the named tensors (ties: tensor order, then index). */
function largestGradients(network: Network, names: string[], k: number): Element[] {
  const all: (Element & { magnitude: number })[] = [];
  for (const tensor of names) {
    network.parameter(tensor).grad.forEach((g, index) => {
      all.push({ tensor, index, magnitude: Math.abs(g) });
    });
  }
  all.sort((a, b) => b.magnitude - a.magnitude);
  return all.slice(0, k).map(({ tensor, index }) => ({ tensor, index }));
}

function combine(
  data: Dataset,
  triggeredX: Float32Array,
  targets: Int32Array,
): { x: Dataset['x']; y: Int32Array } {
  const d = data.x.data.length / data.y.length;
  const x = new Float32Array(data.x.data.length + triggeredX.length);
  x.set(data.x.data);
  x.set(triggeredX, data.x.data.length);
  const y = new Int32Array(data.y.length + targets.length);
  y.set(data.y);
  y.set(targets, data.y.length);
  return { x: { shape: [y.length, d], data: x }, y };
}

/**
 * A seeded federated-learning simulation (FedAvg of McMahan et al. 2017, with any aggregation rule): the
 * training set is split over n clients, a fraction of them malicious; every round each client trains the
 * global model locally and sends weights(after) − weights(before), the attack replaces the malicious
 * clients' updates, the rule aggregates (it may read the server momentum, an average of past aggregates),
 * and reputation scores every client. Quarantined clients are left out of later rounds, unless quarantine is
 * off (plain FedAvg, the undefended baseline). Same options and seed → the same result, byte for byte.
 */
import { type TriggeredSet, triggerTestSet } from '../attacks/backdoor.js';
import type { Dataset } from '../data/dataset.js';
import { fitStandardization, standardize } from '../data/preprocess.js';
import { stratifiedSplit, subset } from '../data/split.js';
import { type CleanInputSpace, cleanInputSpace } from '../defenses/federated/input-space.js';
import { type AggregatorEntry, aggregatorByName, aggregators } from '../defenses/federated/registry.js';
import {
  createReputation,
  type ReputationOptions,
  type ReputationState,
  updateReputation,
} from '../defenses/federated/reputation.js';
import type { Aggregate, ClientUpdate } from '../defenses/federated/types.js';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import { accuracy, attackSuccessRate } from '../eval/classification.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { classifierFromSnapshot } from '../models/classifier.js';
import { mlpArchitecture, mlpOptionsSchema } from '../models/mlp.js';
import { softmaxRegressionArchitecture } from '../models/softmax-regression.js';
import { attackRound, checkAttackName, defaultBackdoor, type FlAttackName } from './client-attacks.js';
import { type PartitionKind, partitionIndices } from './partition.js';
import { firstDenseLayer, flattenWeights, withWeights } from './weights.js';

const DEFAULT_SERVER_MOMENTUM = 0.8;

export interface SimulationOptions {
  train: Dataset;
  test: Dataset;
  clients: number;
  /** Fraction of the clients that are malicious, in [0, 1). */
  malicious: number;
  attack: FlAttackName;
  /** An aggregator name (see `aggregators`). */
  rule: string;
  /** f for the rules that need it; default: the number of malicious clients. */
  byzantine?: number;
  /** Put bucketing with this bucket size in front of the rule. */
  bucketSize?: number;
  rounds: number;
  partition?: PartitionKind;
  alpha?: number;
  model?: 'softmax' | 'mlp';
  /** Hidden units of the MLP. Default 32. */
  hidden?: number;
  localEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Samples of the training set held out as the server's clean root set (FLTrust's g₀, standardisation). */
  rootSamples?: number;
  reputation?: ReputationOptions;
  /**
   * β of the server momentum m ← β·m + (1 − β)·aggregate that rules may read as `ctx.momentum`; it only
   * informs the rules (the model moves by the aggregate). Default 0.8.
   */
  serverMomentum?: number;
  /**
   * Hand rules the principal span of the root set's inputs (`ctx.inputSpace`, see `cleanInputSpace`) when
   * the model's first layer is dense; screened-mean uses it to find clients that share a trigger. Default
   * true.
   */
  inputSpace?: boolean;
  /**
   * Leave clients out of later rounds once their reputation crosses the threshold (default true). Off, every
   * client takes part in every round and none is reported quarantined; reputation scores are still kept.
   */
  quarantine?: boolean;
  seed: number;
  /** Called after every round. */
  onRound?: (round: RoundRecord) => void;
}

export interface RoundRecord {
  round: number;
  accuracy: number;
  /** Attack success rate of the backdoor on triggered test inputs (attack 'backdoor' only). */
  asr?: number;
  accepted: string[];
  /** Clients quarantined in this round. */
  quarantined: string[];
  /** The rule's suspicion per participating client (higher = more suspicious). */
  scores: Record<string, number>;
}

export interface ClientRecord {
  id: string;
  malicious: boolean;
  samples: number;
  /** The reputation's averaged robust z-score of the client's suspicion. */
  score: number;
  /** The round the client was quarantined in, if it was. */
  quarantinedAt?: number;
}

export interface SimulationResult {
  config: {
    clients: number;
    malicious: number;
    attack: FlAttackName;
    rule: string;
    byzantine: number;
    rounds: number;
    partition: PartitionKind;
    alpha?: number;
    model: 'softmax' | 'mlp';
    quarantine: boolean;
    /** The root set's input space handed to the rules (its rank and the share of energy kept), or null. */
    inputSpace: { rank: number; energy: number } | null;
    serverMomentum: number;
    seed: number;
  };
  rounds: RoundRecord[];
  clients: ClientRecord[];
  final: { accuracy: number; asr?: number };
  /** Malicious clients quarantined / all malicious; honest clients quarantined / all honest. */
  detection: { truePositiveRate: number; falsePositiveRate: number };
}

export function simulateFederation(o: SimulationOptions): SimulationResult {
  const attack = checkAttackName(o.attack);
  checkCount(o.rounds, 'rounds', 1);
  checkCount(o.clients, 'clients', 1);
  if (!(o.malicious >= 0 && o.malicious < 1)) {
    throw new InputError(`the malicious fraction must be in [0, 1), got ${o.malicious}`, {
      field: 'malicious',
    });
  }
  const serverMomentum = o.serverMomentum ?? DEFAULT_SERVER_MOMENTUM;
  if (!(serverMomentum >= 0 && serverMomentum < 1)) {
    throw new InputError(`the server momentum must be in [0, 1), got ${serverMomentum}`, {
      field: 'serverMomentum',
    });
  }
  const rng = new Rng(o.seed);
  const partition = o.partition ?? 'iid';
  const model = o.model ?? 'softmax';
  const { root, clientData } = splitClients(o, partition, rng.nextUint32());
  const ids = clientData.map((_, c) => `client${c}`);
  const maliciousIds = [...rng.sample(o.clients, Math.round(o.malicious * o.clients))]
    .sort((a, b) => a - b)
    .map((c) => ids[c]);
  const byzantine = o.byzantine ?? maliciousIds.length;
  const backdoor = attack === 'backdoor' ? defaultBackdoor(o.train) : undefined;
  const triggered = backdoor && triggerTestSet(o.test, backdoor);
  const rule = ruleFactory(o.rule, byzantine, o.bucketSize);
  const local = {
    epochs: o.localEpochs ?? 1,
    batchSize: o.batchSize ?? 16,
    learningRate: o.learningRate ?? 0.01,
  };

  let global = initialModel(o, model, root, rng.nextUint32());
  const inputSpace = o.inputSpace === false ? undefined : rootInputSpace(global, root);
  let reputation: ReputationState = createReputation(o.reputation);
  const quarantine = o.quarantine ?? true;
  const isQuarantined = (id: string) => quarantine && reputation.clients[id]?.quarantine !== undefined;
  const rounds: RoundRecord[] = [];
  let momentum: Float32Array | undefined;
  for (let round = 0; round < o.rounds; round++) {
    const roundSeed = rng.nextUint32();
    const train = (data: Dataset, c: number) => localUpdate(global, data, local, (roundSeed + c) >>> 0);
    const active = ids.flatMap((id, c) => (isQuarantined(id) ? [] : [c]));
    const honest: ClientUpdate[] = active.map((c) => ({ id: ids[c], update: train(clientData[c], c) }));
    const activeMalicious = maliciousIds.filter((id) => !isQuarantined(id));
    const updates = attackRound(attack, {
      honest,
      malicious: activeMalicious,
      seed: roundSeed,
      localData: (id) => clientData[ids.indexOf(id)],
      train: (id, data) => train(data, ids.indexOf(id)),
      backdoor,
    });
    const quarantinedSoFar = ids.length - active.length;
    const aggregate = rule(Math.max(0, byzantine - quarantinedSoFar), () =>
      localUpdate(global, root, local, roundSeed),
    );
    const result = aggregate(updates, { seed: o.seed, round, momentum, inputSpace });
    momentum = updateMomentum(momentum, result.update, serverMomentum);
    global = withWeights(global, addInto(flattenWeights(global), result.update));
    const quarantinedBefore = new Set(ids.filter(isQuarantined));
    reputation = updateReputation(reputation, result, round);
    const record = evaluateRound(global, o.test, triggered, round);
    rounds.push({
      ...record,
      accepted: result.accepted,
      quarantined: ids.filter((id) => isQuarantined(id) && !quarantinedBefore.has(id)),
      scores: result.scores,
    });
    o.onRound?.(rounds[round]);
  }
  const last = rounds[rounds.length - 1];
  const clients = ids.map((id, c): ClientRecord => {
    const standing = reputation.clients[id];
    return {
      id,
      malicious: maliciousIds.includes(id),
      samples: clientData[c].y.length,
      score: standing?.score ?? 0,
      ...(quarantine && standing?.quarantine && { quarantinedAt: standing.quarantine.round }),
    };
  });
  return {
    config: {
      clients: o.clients,
      malicious: maliciousIds.length,
      attack,
      rule: o.rule,
      byzantine,
      rounds: o.rounds,
      partition,
      ...(partition === 'dirichlet' && { alpha: o.alpha ?? 0.5 }),
      model,
      quarantine,
      inputSpace: inputSpace ? { rank: inputSpace.rank, energy: inputSpace.energy } : null,
      serverMomentum,
      seed: o.seed,
    },
    rounds,
    clients,
    final: { accuracy: last.accuracy, ...(last.asr !== undefined && { asr: last.asr }) },
    detection: detectionRates(clients),
  };
}

/** The server's root set (stratified, clean) and the clients' shares of the rest. */
function splitClients(
  o: SimulationOptions,
  partition: PartitionKind,
  seed: number,
): { root: Dataset; clientData: Dataset[] } {
  const n = o.train.y.length;
  const rootSamples = o.rootSamples ?? Math.min(100, Math.floor(n / 10));
  if (!(Number.isInteger(rootSamples) && rootSamples >= 1 && rootSamples < n)) {
    throw new InputError(`the root set needs 1 to ${n - 1} samples, got ${rootSamples}`, {
      field: 'rootSamples',
    });
  }
  const split = stratifiedSplit(o.train.y, rootSamples / n, seed);
  const pool = subset(o.train, split.train);
  const shares = partitionIndices(pool.y, o.clients, { kind: partition, alpha: o.alpha, seed: seed + 1 });
  return { root: subset(o.train, split.test), clientData: shares.map((indices) => subset(pool, indices)) };
}

/**
 * A freshly initialised network; its input standardisation comes from the server's root set: one mean and
 * deviation for images, per feature otherwise.
 */
function initialModel(
  o: SimulationOptions,
  kind: 'softmax' | 'mlp',
  root: Dataset,
  seed: number,
): ModelSnapshot {
  const shape = o.train.x.shape.slice(1);
  const architecture =
    kind === 'softmax'
      ? softmaxRegressionArchitecture(shape, o.train.numClasses)
      : mlpArchitecture(shape, o.train.numClasses, mlpOptionsSchema.parse({ hidden: [o.hidden ?? 32] }));
  // Images share one scale (a border pixel that is nearly always 0 must not be divided by its tiny spread).
  architecture.standardization = fitStandardization(root, {
    scope: shape.length === 3 ? 'global' : 'features',
  });
  const network = Network.initialize(architecture, seed);
  return { architecture, weights: network.weights() };
}

/** The principal span of the root set's inputs as the model's first dense layer sees them (standardised). */
function rootInputSpace(global: ModelSnapshot, root: Dataset): CleanInputSpace | undefined {
  const layer = firstDenseLayer(global);
  if (layer === undefined) return undefined;
  const { standardization } = global.architecture;
  const inputs = standardization ? standardize(root, standardization) : root;
  return cleanInputSpace(inputs.x.data, root.y.length, layer);
}

interface LocalTraining {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/** weights after − weights before of `epochs` of Adam on `data`, starting from the global model. */
function localUpdate(global: ModelSnapshot, data: Dataset, o: LocalTraining, seed: number): Float32Array {
  const model = classifierFromSnapshot(global);
  model.fit(data, { ...o, seed });
  const after = flattenWeights(model.toSnapshot());
  const before = flattenWeights(global);
  for (let j = 0; j < after.length; j++) after[j] -= before[j];
  return after;
}

/**
 * The rule for one round, given the round's f (lowered by one per quarantined client, which keeps a
 * precondition such as n ≥ 2f + 3 true as clients leave). FLTrust needs this round's server update.
 */
function ruleFactory(
  name: string,
  byzantine: number,
  bucketSize: number | undefined,
): (f: number, serverUpdate: () => Float32Array) => Aggregate {
  const entry: AggregatorEntry | undefined = Object.hasOwn(aggregators, name)
    ? aggregators[name as keyof typeof aggregators]
    : undefined;
  const takesF = entry !== undefined && 'f' in entry.options.shape;
  const build = (options: Record<string, unknown>) => aggregatorByName(name, { ...options, bucketSize });
  if (name === 'fltrust') return (_, serverUpdate) => build({ serverUpdate: serverUpdate() });
  if (!takesF) {
    // Built once: stateful rules (FoolsGold's history) must see every round.
    const rule = build({});
    return () => rule;
  }
  build({ f: byzantine }); // checks the options before any client trains
  return (f) => build({ f });
}

function evaluateRound(
  global: ModelSnapshot,
  test: Dataset,
  triggered: TriggeredSet | undefined,
  round: number,
): { round: number; accuracy: number; asr?: number } {
  const classifier = classifierFromSnapshot(global);
  const record = { round, accuracy: accuracy(classifier.predict(test.x), test.y) };
  if (triggered === undefined) return record;
  return {
    ...record,
    asr: attackSuccessRate(classifier.predict(triggered.x), triggered.targets, triggered.labels),
  };
}

function detectionRates(clients: ClientRecord[]): SimulationResult['detection'] {
  const rate = (group: ClientRecord[]) =>
    group.length === 0 ? 0 : group.filter((c) => c.quarantinedAt !== undefined).length / group.length;
  return {
    truePositiveRate: rate(clients.filter((c) => c.malicious)),
    falsePositiveRate: rate(clients.filter((c) => !c.malicious)),
  };
}

/** The new server momentum; the first aggregate starts it. */
function updateMomentum(
  momentum: Float32Array | undefined,
  aggregate: Float32Array,
  beta: number,
): Float32Array {
  if (momentum === undefined) return aggregate.slice();
  return momentum.map((m, j) => beta * m + (1 - beta) * aggregate[j]);
}

function addInto(weights: Float32Array, update: Float32Array): Float32Array {
  for (let j = 0; j < weights.length; j++) weights[j] += update[j];
  return weights;
}

function checkCount(value: number, field: string, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new InputError(`${field} must be a whole number ≥ ${min}, got ${value}`, { field });
  }
}

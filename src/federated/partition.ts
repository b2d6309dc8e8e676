/**
 * Splitting a training set over federated clients: IID (a seeded shuffle dealt out evenly) or non-IID by
 * label with Dirichlet(α) class proportions (Hsu, Qi & Brown 2019; the variant of NIID-Bench, Li et al.
 * 2022). Every sample goes to exactly one client; each client's indices come back sorted ascending.
 */
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';

export type PartitionKind = 'iid' | 'dirichlet';

export interface PartitionOptions {
  kind: PartitionKind;
  /** Dirichlet concentration: small α (0.1) gives each client few classes, large α (100) is nearly IID. */
  alpha?: number;
  /** Dirichlet: redraw until every client holds at least this many samples. Default 2. */
  minSamples?: number;
  seed: number;
}

const MAX_DRAWS = 1000;

/** The sample indices of each of `clients` clients. */
export function partitionIndices(
  labels: Int32Array,
  clients: number,
  options: PartitionOptions,
): Uint32Array[] {
  if (!(Number.isInteger(clients) && clients >= 1)) {
    throw new InputError(`the number of clients must be a whole number ≥ 1, got ${clients}`, {
      field: 'clients',
    });
  }
  if (labels.length < clients) {
    throw new InputError(`${labels.length} samples cannot be spread over ${clients} clients`, {
      field: 'clients',
    });
  }
  if (options.kind === 'iid') return iidPartition(labels.length, clients, options.seed);
  if (options.kind === 'dirichlet') return dirichletPartition(labels, clients, options);
  throw new InputError(`unknown partition "${String(options.kind)}" (expected iid or dirichlet)`, {
    field: 'partition',
  });
}

function iidPartition(n: number, clients: number, seed: number): Uint32Array[] {
  const order = new Rng(seed).permutation(n);
  return Array.from({ length: clients }, (_, c) =>
    sorted(order.subarray(Math.floor((c * n) / clients), Math.floor(((c + 1) * n) / clients))),
  );
}

/**
 * For each class, proportions p ~ Dir(α, …, α) over the clients split its shuffled samples; a client that
 * already holds its fair share n / clients gets no more (NIID-Bench), and the whole draw is repeated until
 * every client holds at least `minSamples`.
 */
function dirichletPartition(labels: Int32Array, clients: number, options: PartitionOptions): Uint32Array[] {
  const alpha = options.alpha ?? 0.5;
  if (!(Number.isFinite(alpha) && alpha > 0)) {
    throw new InputError(`alpha must be a positive number, got ${alpha}`, { field: 'alpha' });
  }
  const minSamples = options.minSamples ?? 2;
  if (minSamples * clients > labels.length) {
    throw new InputError(
      `${labels.length} samples cannot give ${clients} clients ${minSamples} samples each`,
      { field: 'clients' },
    );
  }
  const rng = new Rng(options.seed);
  const byClass = indicesByClass(labels);
  const fairShare = labels.length / clients;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const held: number[][] = Array.from({ length: clients }, () => []);
    for (const indices of byClass) {
      rng.shuffle(indices);
      const p = dirichlet(rng, clients, alpha).map((pi, c) => (held[c].length < fairShare ? pi : 0));
      const total = p.reduce((a, b) => a + b, 0);
      let start = 0;
      let cumulative = 0;
      for (let c = 0; c < clients; c++) {
        cumulative += total > 0 ? p[c] / total : 1 / clients;
        const end = c === clients - 1 ? indices.length : Math.round(cumulative * indices.length);
        for (let i = start; i < end; i++) held[c].push(indices[i]);
        start = Math.max(start, end);
      }
    }
    if (held.every((h) => h.length >= minSamples)) return held.map((h) => sorted(Uint32Array.from(h)));
  }
  throw new InputError(
    `no Dirichlet(${alpha}) partition in ${MAX_DRAWS} draws gave every one of ${clients} clients ` +
      `${minSamples} samples; use fewer clients or a larger alpha`,
    { field: 'alpha' },
  );
}

/** A draw from the symmetric Dirichlet distribution: normalised Gamma(α, 1) variables. */
export function dirichlet(rng: Rng, k: number, alpha: number): number[] {
  const g = Array.from({ length: k }, () => gamma(rng, alpha));
  const total = g.reduce((a, b) => a + b, 0);
  return total > 0 ? g.map((v) => v / total) : g.map(() => 1 / k);
}

/**
 * Gamma(α, 1) by Marsaglia & Tsang 2000 ("A simple method for generating gamma variables"); for α < 1 the
 * boost G(α) = G(α + 1) · U^(1/α).
 */
function gamma(rng: Rng, alpha: number): number {
  if (alpha < 1) return gamma(rng, alpha + 1) * (1 - rng.float()) ** (1 / alpha);
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.float();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function indicesByClass(labels: Int32Array): number[][] {
  const classes: number[][] = [];
  labels.forEach((y, i) => {
    classes[y] ??= [];
    classes[y].push(i);
  });
  return classes.filter((c) => c !== undefined);
}

function sorted(indices: Uint32Array): Uint32Array {
  return Uint32Array.from(indices).sort();
}

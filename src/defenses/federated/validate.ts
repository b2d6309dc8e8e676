import { InputError } from '../../errors.js';
import type { ClientUpdate } from './types.js';

/**
 * Checks one round of updates before any rule looks at them and returns their common length. Locations use
 * `row` for the 1-based position of the client in the list; the problem text names the client.
 */
export function validateUpdates(rule: string, updates: readonly ClientUpdate[]): number {
  if (!Array.isArray(updates) || updates.length === 0) {
    throw new InputError(`${rule}: no client updates to aggregate`);
  }
  const firstRow = new Map<string, number>();
  const reference = updates[0];
  for (let i = 0; i < updates.length; i++) {
    const { id, update, weight } = updates[i];
    const row = i + 1;
    if (typeof id !== 'string' || id.length === 0) {
      throw new InputError(`${rule}: client id must be a non-empty string`, { row, field: 'id' });
    }
    const seen = firstRow.get(id);
    if (seen !== undefined) {
      throw new InputError(`${rule}: duplicate client id "${id}" (rows ${seen} and ${row})`, {
        row,
        field: 'id',
      });
    }
    firstRow.set(id, row);
    if (!(update instanceof Float32Array)) {
      throw new InputError(`${rule}: client "${id}": update must be a Float32Array`, {
        row,
        field: 'update',
      });
    }
    if (update.length === 0) {
      throw new InputError(`${rule}: client "${id}": update is empty`, { row, field: 'update' });
    }
    if (update.length !== reference.update.length) {
      throw new InputError(
        `${rule}: client "${id}" has ${update.length} values but client "${reference.id}" has ${reference.update.length}`,
        { row, field: 'update' },
      );
    }
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0)) {
      throw new InputError(`${rule}: client "${id}": weight must be a finite number ≥ 0, got ${weight}`, {
        row,
        field: 'weight',
      });
    }
    const bad = firstNonFinite(update);
    if (bad >= 0) {
      throw new InputError(
        `${rule}: client "${id}": update[${bad}] is ${update[bad]}; updates must be finite`,
        {
          row,
          field: 'update',
        },
      );
    }
  }
  return reference.update.length;
}

/** Index of the first NaN or ±Infinity in `a`, or −1. */
export function firstNonFinite(a: Float32Array): number {
  // x·0 is 0 for every finite x and NaN for NaN and ±Infinity, so one branch-free pass answers "any bad?".
  // Four independent sums keep the adds from waiting on each other.
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const quads = a.length - (a.length % 4);
  for (let i = 0; i < quads; i += 4) {
    p0 += a[i] * 0;
    p1 += a[i + 1] * 0;
    p2 += a[i + 2] * 0;
    p3 += a[i + 3] * 0;
  }
  for (let i = quads; i < a.length; i++) p0 += a[i] * 0;
  if (p0 + p1 + p2 + p3 === 0) return -1;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Throws when a rule's bound on the number of clients does not hold, naming n, f and the bound. */
export function requireClients(rule: string, n: number, f: number, bound: string, minimum: number): void {
  if (n < minimum) {
    throw new InputError(
      `${rule} needs n ≥ ${bound} clients: got n = ${n} with f = ${f} (needs n ≥ ${minimum})`,
      {
        field: 'f',
      },
    );
  }
}

/** The clients' weights, 1 where absent; throws when they sum to zero. */
export function clientWeights(rule: string, updates: readonly ClientUpdate[]): Float64Array {
  const weights = Float64Array.from(updates, (u) => u.weight ?? 1);
  let total = 0;
  for (const w of weights) total += w;
  if (total <= 0) throw new InputError(`${rule}: client weights sum to 0`, { field: 'weight' });
  return weights;
}

/**
 * Checks a vector option (a server update, a starting point): finite, and `d` values long when `d` is given.
 */
export function checkVector(rule: string, field: string, vector: Float32Array, d?: number): void {
  if (d !== undefined && vector.length !== d) {
    throw new InputError(`${rule}: ${field} has ${vector.length} values but the updates have ${d}`, {
      field,
    });
  }
  const bad = firstNonFinite(vector);
  if (bad >= 0)
    throw new InputError(`${rule}: ${field}[${bad}] is ${vector[bad]}; it must be finite`, { field });
}

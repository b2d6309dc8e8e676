import { describe, expect, it } from 'vitest';
import { bulyan } from '../../../src/defenses/federated/bulyan.js';
import { trimmedMean } from '../../../src/defenses/federated/coordinate-wise.js';
import { krum } from '../../../src/defenses/federated/krum.js';
import { aggregatorByName, aggregatorNames } from '../../../src/defenses/federated/registry.js';
import type { Aggregate } from '../../../src/defenses/federated/types.js';
import { InputError } from '../../../src/errors.js';
import { clients } from './fixtures.js';

/** Every registered rule, with options that its precondition accepts for 5 clients of 2 values. */
function everyRule(): [string, Aggregate][] {
  const options: Record<string, Record<string, unknown>> = {
    'trimmed-mean': { f: 1 },
    krum: { f: 1 },
    'multi-krum': { f: 1 },
    bulyan: { f: 0 },
    fltrust: { serverUpdate: Float32Array.of(1, 1) },
  };
  return aggregatorNames.map((name) => [name, aggregatorByName(name, options[name] ?? {})]);
}

function problemOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const good = (): ReturnType<typeof clients> =>
  clients([
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 5],
    [5, 6],
  ]);

describe('update validation, for every rule', () => {
  it.each(everyRule())(
    '%s names the client and the first bad index of a NaN or infinite value',
    (_, rule) => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const updates = good();
        updates[3].update[1] = bad;
        const error = problemOf(() => rule(updates));
        expect(error.message).toContain('client "d"');
        expect(error.message).toContain(`update[1] is ${bad}`);
        expect(error.location).toMatchObject({ row: 4, field: 'update' });
      }
    },
  );

  it.each(everyRule())('%s names the client and both lengths when lengths differ', (_, rule) => {
    const updates = good();
    updates[2] = { id: 'c', update: Float32Array.of(1, 2, 3) };
    const error = problemOf(() => rule(updates));
    expect(error.problem).toMatch(/client "c" has 3 values but client "a" has 2/);
  });

  it.each(everyRule())('%s rejects an empty round, duplicate ids and negative weights', (_, rule) => {
    expect(problemOf(() => rule([])).problem).toMatch(/no client updates/);
    const duplicate = good();
    duplicate[4].id = 'b';
    expect(problemOf(() => rule(duplicate)).problem).toMatch(/duplicate client id "b" \(rows 2 and 5\)/);
    const negative = good();
    negative[1].weight = -2;
    expect(problemOf(() => rule(negative)).problem).toMatch(
      /client "b": weight must be a finite number ≥ 0, got -2/,
    );
  });
});

describe('preconditions', () => {
  it('Krum states n, f and the bound 2f + 3', () => {
    const error = problemOf(() => krum({ f: 1 })(good().slice(0, 4)));
    expect(error.problem).toBe('krum needs n ≥ 2f + 3 clients: got n = 4 with f = 1 (needs n ≥ 5)');
  });

  it('Bulyan states n, f and the bound 4f + 3', () => {
    const error = problemOf(() => bulyan({ f: 1 })(good()));
    expect(error.problem).toBe('bulyan needs n ≥ 4f + 3 clients: got n = 5 with f = 1 (needs n ≥ 7)');
  });

  it('the trimmed mean needs n ≥ 2f + 1', () => {
    expect(problemOf(() => trimmedMean({ f: 3 })(good())).problem).toMatch(
      /got n = 5 with f = 3 \(needs n ≥ 7\)/,
    );
  });

  it('bad options name the option', () => {
    const error = problemOf(() => krum({ f: -1 }));
    expect(error.problem).toBe('krum: option "f": must be a whole number ≥ 0');
    expect(error.location.field).toBe('f');
    expect(problemOf(() => krum({ f: 1.5 })).problem).toMatch(/whole number/);
    expect(problemOf(() => krum({ f: 1, m: 2 } as never)).problem).toMatch(/Unrecognized key: "m"/);
  });
});

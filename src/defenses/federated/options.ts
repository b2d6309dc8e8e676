import { z } from 'zod';
import { InputError } from '../../errors.js';

/**
 * Parses a rule's options with its schema. The same schemas serve the library factories, the CLI flags and
 * the config file, so a bad value reads the same everywhere: `krum: option "f": must be a whole number ≥ 0`.
 */
export function parseOptions<S extends z.ZodType>(rule: string, schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.');
  const where = field === '' ? '' : `option "${field}": `;
  throw new InputError(`${rule}: ${where}${issue.message}`, field === '' ? {} : { field });
}

/** The number of Byzantine (malicious) clients a rule must tolerate. */
export const byzantineCount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number ≥ 0' })
  .min(0, { error: 'must be a whole number ≥ 0' });

export const positiveCount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number ≥ 1' })
  .min(1, { error: 'must be a whole number ≥ 1' });

export const positiveNumber = z
  .number({ error: 'must be a number' })
  .refine((v) => Number.isFinite(v) && v > 0, { error: 'must be a finite number > 0' });

export const nonNegativeNumber = z
  .number({ error: 'must be a number' })
  .refine((v) => Number.isFinite(v) && v >= 0, { error: 'must be a finite number ≥ 0' });

export const vector = z.custom<Float32Array>((v) => v instanceof Float32Array, {
  error: 'must be a Float32Array',
});

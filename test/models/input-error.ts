import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** Runs `fn`, expecting it to throw an InputError, and returns that error for checks on its location. */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

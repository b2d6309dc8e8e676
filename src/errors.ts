/**
 * Errors that reach the user. Loaders, parsers and commands throw these; the CLI turns them into one line
 * (`antidote: FILE, row 12, column "age": not a number: "abc"`) and exit code 2, never a stack trace.
 */

/** Where in the user's input a problem was found. Every field is optional; give as many as are known. */
export interface InputLocation {
  file?: string;
  /** 1-based row (CSV: data row after the header; JSONL: line). */
  row?: number;
  /** Column name, JSON field, tensor name or header field. */
  field?: string;
  /** Byte offset into a binary file. */
  offset?: number;
}

/** Bad input: a file, option or value the user supplied is wrong. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly location: InputLocation;
  readonly problem: string;

  constructor(problem: string, location: InputLocation = {}) {
    super(formatProblem(problem, location));
    this.problem = problem;
    this.location = location;
  }

  /** A copy with more location detail (e.g. a parser that knows the row adds the file name). */
  at(location: InputLocation): InputError {
    return new InputError(this.problem, { ...location, ...this.location });
  }
}

/** A command-line usage problem (unknown option, missing argument, bad option value). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function formatProblem(problem: string, loc: InputLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.field !== undefined) parts.push(`field "${loc.field}"`);
  if (loc.offset !== undefined) parts.push(`byte ${loc.offset}`);
  return parts.length > 0 ? `${parts.join(', ')}: ${problem}` : problem;
}

/** The result of an operation that may fail on bad input, for callers that prefer values over exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: InputError };

/** Runs `fn`, turning a thrown InputError into `{ ok: false }`; other errors propagate (they are bugs). */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, error };
    throw error;
  }
}

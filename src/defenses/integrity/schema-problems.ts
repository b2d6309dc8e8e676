import type { z } from 'zod';

/** One line per zod issue: `where.it[3].failed: what was wrong`, the path prefixed with `root`. */
export function schemaProblems(error: z.ZodError, root: string): string[] {
  return error.issues.map((issue) => `${fieldPath(root, issue.path)}: ${issue.message}`);
}

/** `root.a[2].b` for the path ['a', 2, 'b']. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(top level)' : out;
}

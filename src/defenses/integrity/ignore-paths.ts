/**
 * Paths left out of a model's signature, as model-relative POSIX paths. As in the reference tool
 * (sigstore/model-transparency, hashing.py and _cli.py), git metadata is left out by default, and so is the
 * signature file itself when it lies inside the model folder; a folder leaves out everything below it.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../../errors.js';

/** Left out unless the caller asks otherwise. */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

export interface IgnoreOptions {
  /** Relative to the model folder, or absolute paths inside it. */
  ignorePaths?: readonly string[];
  /** Leave out `.git`, `.gitattributes`, `.github` and `.gitignore` (default true). */
  ignoreGitPaths?: boolean;
  /** The signature file: left out when it lies inside the model folder. */
  signaturePath?: string;
}

/** The sorted, de-duplicated model-relative paths to leave out; an InputError for a path outside the model. */
export function collectIgnorePaths(modelPath: string, options: IgnoreOptions): string[] {
  const paths = (options.ignorePaths ?? []).map((path) => normalizeIgnorePath(path, modelPath));
  if (options.ignoreGitPaths ?? true) paths.push(...GIT_PATHS);
  if (options.signaturePath !== undefined) {
    const inside = normalizeRelativePath(posixRelative(modelPath, options.signaturePath));
    if (inside !== null) paths.push(inside);
  }
  return [...new Set(paths)].sort();
}

/** True when `name` is an ignored path or lies inside one (path components, not string prefixes). */
export function isIgnored(name: string, ignorePaths: readonly string[]): boolean {
  return ignorePaths.some((ignored) => name === ignored || name.startsWith(`${ignored}/`));
}

/**
 * A model-relative POSIX path, or null when the path cannot name something inside the model: absolute, with
 * a `..` component, empty, or the model itself. `./a//b/` becomes `a/b`.
 */
export function normalizeRelativePath(path: string): string | null {
  if (path.startsWith('/') || path.includes('\0')) return null;
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** A user's ignore path made model-relative: a relative one is taken as is, an absolute one must lie inside. */
export function normalizeIgnorePath(path: string, modelPath: string): string {
  const normalized = normalizeRelativePath(isAbsolute(path) ? posixRelative(modelPath, path) : path);
  if (normalized === null) {
    throw new InputError(`"${path}" does not name something inside the model folder`, {
      field: 'ignore paths',
    });
  }
  return normalized;
}

function posixRelative(modelPath: string, path: string): string {
  return relative(resolve(modelPath), resolve(path)).split(sep).join('/');
}

/** Artifact names and `NAME@VERSION` references. */
import { InputError } from '../errors.js';

export type ArtifactKind = 'dataset' | 'model';
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['dataset', 'model'];

export interface ArtifactRef {
  name: string;
  /** Undefined: the latest version. */
  version?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new InputError(
      `"${name}" is not a valid name: use letters, digits, ".", "_" and "-" (at most 128, starting with a letter or digit)`,
      { field: 'name' },
    );
  }
  return name;
}

/** `NAME` or `NAME@VERSION` (VERSION a positive integer). */
export function parseRef(text: string, requireVersion = false): ArtifactRef {
  const at = text.lastIndexOf('@');
  const name = checkName(at < 0 ? text : text.slice(0, at));
  if (at < 0) {
    if (requireVersion)
      throw new InputError(`"${text}" needs a version: NAME@VERSION`, { field: 'reference' });
    return { name };
  }
  const version = Number(text.slice(at + 1));
  if (!Number.isSafeInteger(version) || version < 1 || !/^\d+$/.test(text.slice(at + 1))) {
    throw new InputError(`"${text}": the version must be a positive integer`, { field: 'reference' });
  }
  return { name, version };
}

export function formatRef(name: string, version: number): string {
  return `${name}@${version}`;
}

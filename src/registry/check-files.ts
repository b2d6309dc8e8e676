/**
 * Does a file or folder on disk hold exactly a registered version? Every file is compared by SHA-256 with
 * the version's manifest: a changed, missing or extra file is named. The walk is listModelFiles', which
 * refuses symbolic links (or, when allowed, any that leave the folder) and anything that is not a file.
 */
import { basename } from 'node:path';
import { sha256File } from '../defenses/integrity/hashing.js';
import { listModelFiles } from '../defenses/integrity/model-files.js';
import type { ArtifactRef } from './refs.js';
import { formatRef } from './refs.js';
import type { Registry } from './registry.js';

export interface FileCheckResult {
  ok: boolean;
  ref: string;
  /** One line per differing file, sorted by path. */
  problems: string[];
}

export async function checkFiles(
  registry: Registry,
  ref: ArtifactRef,
  path: string,
  options: { allowSymlinks?: boolean } = {},
): Promise<FileCheckResult> {
  const record = registry.resolve(ref);
  const expected = new Map(registry.files(record.id).map((f) => [f.path, f.sha256]));
  const listing = listModelFiles(path, { allowSymlinks: options.allowSymlinks ?? false });
  const problems: { path: string; text: string }[] = [];
  for (const file of listing.files) {
    const name = file.name === '.' ? basename(path) : file.name;
    const digest = expected.get(name);
    expected.delete(name);
    if (digest === undefined) problems.push({ path: name, text: `extra file, not in the version: ${name}` });
    else if ((await sha256File(file.path)) !== digest)
      problems.push({ path: name, text: `changed file: ${name}` });
  }
  for (const name of expected.keys()) problems.push({ path: name, text: `missing file: ${name}` });
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    ok: problems.length === 0,
    ref: formatRef(record.name, record.version),
    problems: problems.map((p) => p.text),
  };
}

/**
 * What differs between a signed manifest and the model on disk, file by file: a file missing, a file not in
 * the signature, or a file whose content changed (a renamed file shows as one missing and one unexpected).
 * The reference only answers "Signature mismatch"; naming the files is what lets someone act on it.
 */
import { comparePosixPaths, type Manifest, resourceKey } from './serialization.js';

/** One line per differing file, in path order; empty when the manifests agree. */
export function diffManifests(signed: Manifest, actual: Manifest): string[] {
  const method = signed.serialization.method;
  const expected = byFile(signed, method);
  const found = byFile(actual, method);
  if (expected.has('.') !== found.has('.') && expected.size > 0 && found.size > 0) {
    return [
      expected.has('.')
        ? 'the signature is for a single file, but the model is a folder'
        : 'the signature is for a folder, but the model is a single file',
    ];
  }
  const problems: { path: string; text: string }[] = [];
  for (const [path, signedItems] of expected) {
    const actualItems = found.get(path);
    if (actualItems === undefined) problems.push({ path, text: `missing file: ${path}` });
    else {
      const change = describeChange(signedItems, actualItems, method);
      if (change !== null) problems.push({ path, text: `changed file: ${path} (${change})` });
    }
  }
  for (const path of found.keys()) {
    if (!expected.has(path)) problems.push({ path, text: `unexpected file, not in the signature: ${path}` });
  }
  return problems.sort((a, b) => comparePosixPaths(a.path, b.path)).map(({ text }) => text);
}

/** Resource name → digest, grouped by file path. */
function byFile(
  manifest: Manifest,
  method: Manifest['serialization']['method'],
): Map<string, Map<string, string>> {
  const files = new Map<string, Map<string, string>>();
  for (const { name, digest } of manifest.resources) {
    // Names come from serializeModel or a checked statement, so they parse.
    const { path } = resourceKey(name, method)!;
    let items = files.get(path);
    if (items === undefined) files.set(path, (items = new Map()));
    items.set(name, digest);
  }
  return files;
}

function describeChange(
  signed: Map<string, string>,
  actual: Map<string, string>,
  method: Manifest['serialization']['method'],
): string | null {
  const sameShards = signed.size === actual.size && [...signed.keys()].every((name) => actual.has(name));
  if (!sameShards) return 'its size differs from the signed file';
  const differing = [...signed].filter(([name, digest]) => actual.get(name) !== digest);
  if (differing.length === 0) return null;
  if (method === 'files') {
    const [[name, digest]] = differing;
    return `sha256 ${digest.slice(0, 16)}… signed, ${actual.get(name)!.slice(0, 16)}… now`;
  }
  const ranges = differing.map(([name]) => {
    const { start, end } = resourceKey(name, 'shards')!;
    return `${start}-${end}`;
  });
  return `content differs in bytes ${ranges.join(', ')}`;
}

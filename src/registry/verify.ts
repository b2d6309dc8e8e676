/**
 * `registry verify`: fails closed on anything that does not add up, naming what failed —
 * 1. the audit log: every row's hash chain, and the head's signature (with the registry's public key, or one
 *    given out of band, which is what protects against someone who replaced both the log and the key);
 * 2. every version against the log: its row, manifest and provenance digests are those the log recorded;
 * 3. every version's manifest and provenance blobs: present, intact, and agreeing with the database's files
 *    and provenance edges;
 * 4. every blob in the store: its content still hashes to its name.
 * Temporary files a crashed writer left are reported, not counted as blobs; unreferenced blobs are allowed.
 */
import type { KeyObject } from 'node:crypto';
import { normalizeRelativePath } from '../defenses/integrity/ignore-paths.js';
import { readPublicKeyFile } from '../defenses/integrity/keys.js';
import { IN_TOTO_STATEMENT_TYPE } from '../defenses/integrity/statement.js';
import { readAudit, verifyAudit } from './audit-log.js';
import { canonicalJson } from './canonical-json.js';
import type { ProvenanceStatement } from './provenance.js';
import { PROVENANCE_PREDICATE_TYPE } from './provenance.js';
import { formatRef } from './refs.js';
import { type ArtifactRecord, publicKeyFingerprint, type Registry } from './registry.js';

export interface RegistryVerifyResult {
  ok: boolean;
  /** One line per failure, the audit log's first. */
  problems: string[];
  checked: { auditRows: number; versions: number; blobs: number };
  /** Unreferenced blobs (e.g. from an interrupted add) and crash leftovers: informative only. */
  unreferencedBlobs: number;
  leftoverTempFiles: number;
}

export function verifyRegistry(registry: Registry, publicKey?: KeyObject): RegistryVerifyResult {
  const key = publicKey ?? readPublicKeyFile(registry.layout.publicKey);
  const problems = verifyAudit(registry.db, key);
  const log = readAudit(registry.db);
  const init = log[0];
  if (
    init !== undefined &&
    init.action === 'init' &&
    init.details.publicKeySha256 !== publicKeyFingerprint(key)
  ) {
    problems.push('audit log row 1: the registry was created with another key than the one verifying it');
  }

  const blobs = new BlobChecker(registry);
  const artifacts = registry.allArtifacts();
  const added = new Map(log.filter((e) => e.action === 'add').map((e) => [e.subject, e]));
  for (const artifact of artifacts) {
    const ref = formatRef(artifact.name, artifact.version);
    const where = `version ${ref}`;
    const entry = added.get(ref);
    added.delete(ref);
    if (entry === undefined) {
      problems.push(`${where}: not in the audit log (added behind the registry's back)`);
      continue;
    }
    if (
      entry.details.kind !== artifact.kind ||
      entry.details.manifest !== artifact.manifestDigest ||
      entry.details.provenance !== artifact.provenanceDigest
    ) {
      problems.push(`${where}: its database row differs from what audit log row ${entry.seq} recorded`);
      continue;
    }
    problems.push(...checkManifest(registry, blobs, artifact.id, artifact.manifestDigest, where));
    problems.push(...checkProvenance(registry, blobs, artifact, where));
  }
  for (const [ref, entry] of added) {
    problems.push(`version ${ref}: recorded in audit log row ${entry.seq} but missing from the database`);
  }

  const { digests, strays } = registry.blobs.list();
  for (const stray of strays)
    problems.push(`blob store: unexpected entry "${stray}" (not named by a digest)`);
  for (const digest of digests) {
    const problem = blobs.check(digest);
    if (problem !== null && !problems.includes(problem)) problems.push(problem);
  }
  return {
    ok: problems.length === 0,
    problems,
    checked: { auditRows: log.length, versions: artifacts.length, blobs: digests.length },
    unreferencedBlobs: digests.filter((d) => !blobs.referenced.has(d)).length,
    leftoverTempFiles: registry.blobs.leftovers().length,
  };
}

/** Checks each blob once: present, and its content hashes to its name. */
class BlobChecker {
  readonly referenced = new Set<string>();
  private readonly results = new Map<string, string | null>();
  constructor(private readonly registry: Registry) {}

  check(digest: string): string | null {
    let result = this.results.get(digest);
    if (result === undefined) {
      result = !this.registry.blobs.has(digest)
        ? `blob ${digest}: missing`
        : this.registry.blobs.rehash(digest) !== digest
          ? `blob ${digest}: its content does not match its digest (the blob was modified)`
          : null;
      this.results.set(digest, result);
    }
    return result;
  }

  /** Marks a blob as referenced; its problem, if any, prefixed with who refers to it. */
  use(digest: string, where: string, what: string): string | null {
    this.referenced.add(digest);
    const problem = this.check(digest);
    return problem === null ? null : `${where}: ${what} ${problem}`;
  }
}

function checkManifest(
  registry: Registry,
  blobs: BlobChecker,
  id: number,
  digest: string,
  where: string,
): string[] {
  const problem = blobs.use(digest, where, 'manifest');
  if (problem !== null) return [problem];
  const expected = canonicalJson({
    files: registry.files(id).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
  });
  if (registry.blobs.read(digest).toString('utf8') !== expected) {
    return [`${where}: the database's file list differs from the version's manifest`];
  }
  const problems: string[] = [];
  for (const file of registry.files(id)) {
    if (normalizeRelativePath(file.path) !== file.path)
      problems.push(`${where}: file path "${file.path}" leaves the artifact`);
    const fileProblem = blobs.use(file.sha256, where, `file ${file.path}:`);
    if (fileProblem !== null) problems.push(fileProblem);
  }
  return problems;
}

function checkProvenance(
  registry: Registry,
  blobs: BlobChecker,
  artifact: ArtifactRecord,
  where: string,
): string[] {
  const problem = blobs.use(artifact.provenanceDigest, where, 'provenance statement');
  if (problem !== null) return [problem];
  const subjects = registry.files(artifact.id).map((f) => `${f.path}=${f.sha256}`);
  try {
    const statement = JSON.parse(
      registry.blobs.read(artifact.provenanceDigest).toString('utf8'),
    ) as ProvenanceStatement;
    const { artifact: stated, inputs } = statement.predicate;
    const matches =
      statement._type === IN_TOTO_STATEMENT_TYPE &&
      statement.predicateType === PROVENANCE_PREDICATE_TYPE &&
      stated.name === artifact.name &&
      stated.version === artifact.version &&
      stated.manifest.sha256 === artifact.manifestDigest &&
      sameList(
        statement.subject.map((s) => `${s.name}=${s.digest.sha256}`),
        subjects,
      ) &&
      sameList(inputs.map((i) => formatRef(i.name, i.version)).sort(), registry.inputs(artifact.id));
    if (matches) return [];
  } catch {
    // not JSON, or not shaped like a statement: reported below
  }
  return [`${where}: the provenance statement does not match the version's files or inputs`];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

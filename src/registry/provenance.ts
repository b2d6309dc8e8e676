/**
 * Provenance of each registered version: an in-toto Statement v1 (in-toto/attestation, spec v1) whose
 * subjects are the version's files with their digests and whose predicate records what the version is and
 * which registered versions it was made from (`--from`). It is stored as a blob; its digest is in the
 * artifact's row and in the audit log, so it cannot change unnoticed.
 */
import { IN_TOTO_STATEMENT_TYPE } from '../defenses/integrity/statement.js';
import { VERSION } from '../version.js';
import type { Json } from './canonical-json.js';
import type { ArtifactKind } from './refs.js';

export const PROVENANCE_PREDICATE_TYPE = 'https://antidote.dev/provenance/v1';

export interface ManifestFile {
  /** POSIX path inside the artifact; the file's own name for a single-file artifact. */
  path: string;
  size: number;
  sha256: string;
}

export interface ProvenanceInput {
  name: string;
  version: number;
  kind: ArtifactKind;
  /** The input version's manifest digest. */
  manifest: string;
}

export interface ProvenanceStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: typeof PROVENANCE_PREDICATE_TYPE;
  predicate: {
    artifact: { name: string; version: number; kind: ArtifactKind; manifest: { sha256: string } };
    inputs: { name: string; version: number; kind: ArtifactKind; manifest: { sha256: string } }[];
    builder: { id: 'antidote'; version: string };
    createdAt: string;
  };
}

export function provenanceStatement(
  artifact: { name: string; version: number; kind: ArtifactKind; manifest: string; createdAt: string },
  files: readonly ManifestFile[],
  inputs: readonly ProvenanceInput[],
): ProvenanceStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    predicateType: PROVENANCE_PREDICATE_TYPE,
    predicate: {
      artifact: {
        name: artifact.name,
        version: artifact.version,
        kind: artifact.kind,
        manifest: { sha256: artifact.manifest },
      },
      inputs: inputs.map((i) => ({
        name: i.name,
        version: i.version,
        kind: i.kind,
        manifest: { sha256: i.manifest },
      })),
      builder: { id: 'antidote', version: VERSION },
      createdAt: artifact.createdAt,
    },
  };
}

/** The manifest of a version: its files sorted by path, as stored (canonical JSON) in a blob. */
export function manifestJson(files: readonly ManifestFile[]): Json {
  return { files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })) };
}

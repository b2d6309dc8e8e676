/** The versioned registry of datasets and models, with provenance and a signed, hash-chained audit log. */
export { AUDIT_HEAD_PAYLOAD_TYPE, type AuditEntry, GENESIS_HASH } from './audit-log.js';
export { BlobStore, type StoredBlob } from './blob-store.js';
export { canonicalJson, type Json } from './canonical-json.js';
export { checkFiles, type FileCheckResult } from './check-files.js';
export { DEFAULT_REGISTRY_DIR, type RegistryLayout, registryDir, registryLayout } from './layout.js';
export {
  type ManifestFile,
  PROVENANCE_PREDICATE_TYPE,
  type ProvenanceInput,
  type ProvenanceStatement,
} from './provenance.js';
export { ARTIFACT_KINDS, type ArtifactKind, type ArtifactRef, formatRef, parseRef } from './refs.js';
export {
  type AddOptions,
  type AddResult,
  type ArtifactDetails,
  type ArtifactRecord,
  type ArtifactSummary,
  type ImpactEntry,
  initRegistry,
  publicKeyFingerprint,
  Registry,
} from './registry.js';
export { type RegistryVerifyResult, verifyRegistry } from './verify.js';

/** Model and dataset integrity: fast hashing, and OpenSSF model signing (key-based) sign and verify. */
export { BUNDLE_MEDIA_TYPE, publicKeyHint, type SigstoreBundle } from './bundle.js';
export { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, pae } from './dsse.js';
export { type ByteRange, type HashPoolOptions, hashByteRanges } from './hash-pool.js';
export { DEFAULT_SHARD_SIZE, type ShardDigest, sha256File, sha256FileShards, shardsOf } from './hashing.js';
export { GIT_PATHS, type IgnoreOptions } from './ignore-paths.js';
export {
  CURVES,
  type Curve,
  generateKeyPair,
  type KeyPairPem,
  loadPrivateKey,
  loadPublicKey,
  readPrivateKeyFile,
  readPublicKeyFile,
  writeKeyPair,
} from './keys.js';
export { diffManifests } from './manifest-diff.js';
export {
  type Manifest,
  type ResourceDescriptor,
  type Serialization,
  serializeModel,
} from './serialization.js';
export { DEFAULT_SIGNATURE_FILE, type SerializationMethod, type SignOptions, signModel } from './signing.js';
export {
  IN_TOTO_STATEMENT_TYPE,
  type InTotoStatement,
  MODEL_SIGNING_PREDICATE_TYPE,
  manifestToStatement,
  statementToManifest,
} from './statement.js';
export { type VerifyOptions, type VerifyResult, verifyModel } from './verification.js';

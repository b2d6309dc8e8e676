/**
 * Signing a model in the OpenSSF model signing format v1.0, key-based (the `model_signing sign key` of
 * sigstore/model-transparency): hash the model into a manifest, turn it into an in-toto statement, sign that
 * in a DSSE envelope and wrap it in a Sigstore bundle. The bundle is JSON; write it with
 * `JSON.stringify(bundle)`.
 */
import type { KeyObject } from 'node:crypto';
import { InputError } from '../../errors.js';
import { buildBundle, type SigstoreBundle } from './bundle.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import type { HashPoolOptions } from './hash-pool.js';
import { DEFAULT_SHARD_SIZE } from './hashing.js';
import { collectIgnorePaths, type IgnoreOptions } from './ignore-paths.js';
import { loadPrivateKey } from './keys.js';
import { type Serialization, serializeModel } from './serialization.js';
import { manifestToStatement } from './statement.js';

/** The reference tool's default signature file name. */
export const DEFAULT_SIGNATURE_FILE = 'model.sig';

export type SerializationMethod = Serialization['method'];

export interface SignOptions extends IgnoreOptions, HashPoolOptions {
  /** PEM (PKCS#8 or SEC1) or a loaded key; EC on P-256, P-384 or P-521. */
  privateKey: string | KeyObject;
  /**
   * 'files' (default, as the reference): one digest per file; the ignored paths are recorded in the
   * signature. 'shards': one digest per shard, hashed in parallel; as in the reference, ignored paths are
   * not recorded, so the verifier must be given them again.
   */
  serialization?: SerializationMethod;
  /** Shard size in bytes for 'shards' (default 1 GB, as the reference). */
  shardSize?: number;
  /** Follow symbolic links that stay inside the model folder (default false: refuse any). */
  allowSymlinks?: boolean;
}

/** Signs the file or folder at `modelPath`. Bad input (key, paths, an empty model) is an InputError. */
export async function signModel(modelPath: string, options: SignOptions): Promise<SigstoreBundle> {
  const privateKey =
    typeof options.privateKey === 'string' ? loadPrivateKey(options.privateKey) : options.privateKey;
  const ignorePaths = collectIgnorePaths(modelPath, options);
  const allowSymlinks = options.allowSymlinks ?? false;
  const serialization: Serialization =
    (options.serialization ?? 'files') === 'files'
      ? { method: 'files', hashType: 'sha256', allowSymlinks, ignorePaths }
      : {
          method: 'shards',
          hashType: 'sha256',
          allowSymlinks,
          shardSize: options.shardSize ?? DEFAULT_SHARD_SIZE,
        };
  const manifest = await serializeModel(modelPath, serialization, ignorePaths, options);
  if (manifest.resources.length === 0) {
    throw new InputError('nothing to sign: no files left after leaving out the ignored paths', {
      file: modelPath,
    });
  }
  const payload = Buffer.from(JSON.stringify(manifestToStatement(manifest), null, 2), 'utf8');
  return buildBundle(signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, privateKey), privateKey);
}

/**
 * Verifying a model against a key-based OpenSSF model signature, failing closed: the bundle's structure, the
 * key it names, the DSSE signature, the statement and every file are checked, and any doubt is a problem
 * that names the field or the file. Only arguments that are themselves wrong (no model at the path, an
 * unusable public key, an ignore path outside the model) are InputErrors.
 */
import type { KeyObject } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { keyMismatchProblems, parseBundle } from './bundle.js';
import { IN_TOTO_PAYLOAD_TYPE, verifyEnvelopeSignature } from './dsse.js';
import type { HashPoolOptions } from './hash-pool.js';
import { collectIgnorePaths, type IgnoreOptions } from './ignore-paths.js';
import { loadPublicKey } from './keys.js';
import { diffManifests } from './manifest-diff.js';
import { type Manifest, serializeModel } from './serialization.js';
import { type InTotoStatement, statementToManifest } from './statement.js';

export interface VerifyOptions extends IgnoreOptions, HashPoolOptions {}

export type VerifyResult =
  | { ok: true; statement: InTotoStatement; manifest: Manifest }
  | { ok: false; problems: string[] };

/**
 * Verifies the file or folder at `modelPath` against `bundle` (the parsed JSON, or its text) with
 * `publicKey` (PEM, DER or a loaded key). Paths the statement records as ignored are left out too.
 */
export async function verifyModel(
  modelPath: string,
  bundle: unknown,
  publicKey: string | Uint8Array | KeyObject,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  try {
    lstatSync(modelPath);
  } catch (error) {
    throw new InputError(`cannot read the model: ${(error as Error).message}`, { file: modelPath });
  }
  const key =
    typeof publicKey === 'string' || publicKey instanceof Uint8Array ? loadPublicKey(publicKey) : publicKey;
  const ignorePaths = collectIgnorePaths(modelPath, options);

  const parsed = parseBundle(bundle);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const { payload, payloadType, signature } = parsed.value;
  const keyProblems = keyMismatchProblems(parsed.value, key);
  if (keyProblems.length > 0) return { ok: false, problems: keyProblems };
  if (!verifyEnvelopeSignature(payload, payloadType, signature, key)) {
    return {
      ok: false,
      problems: ['dsseEnvelope.signatures[0].sig: the signature does not verify with the public key given'],
    };
  }
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return {
      ok: false,
      problems: [`dsseEnvelope.payloadType: expected "${IN_TOTO_PAYLOAD_TYPE}", got "${payloadType}"`],
    };
  }
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { ok: false, problems: [`dsseEnvelope.payload: not valid JSON: ${(error as Error).message}`] };
  }
  const signed = statementToManifest(statement);
  if (!signed.ok) return { ok: false, problems: signed.problems };

  const { serialization } = signed.value;
  const leftOut =
    serialization.method === 'files' ? [...ignorePaths, ...serialization.ignorePaths] : ignorePaths;
  let actual: Manifest;
  try {
    actual = await serializeModel(modelPath, serialization, leftOut, options);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { ok: false, problems: [error.message] };
  }
  const problems = diffManifests(signed.value, actual);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, statement: statement as InTotoStatement, manifest: signed.value };
}

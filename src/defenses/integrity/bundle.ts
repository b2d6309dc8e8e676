/**
 * The Sigstore bundle (v0.3 JSON) that carries a key-based model signature, as the reference's
 * sign_ec_key.py writes it: no transparency-log entries, the public key named only by a hint (the hex
 * SHA-256 of its SubjectPublicKeyInfo PEM) so that a verifier must bring the key itself, and the DSSE
 * envelope. Bundles from model_signing 1.0.x carry the key itself (`publicKey.rawBytes`) instead; those
 * verify too, against the key the verifier brings.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import type { DsseEnvelope } from './dsse.js';
import { loadPublicKey, publicKeyPem } from './keys.js';
import { schemaProblems } from './schema-problems.js';
import type { ParseResult } from './statement.js';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface SigstoreBundle {
  mediaType: typeof BUNDLE_MEDIA_TYPE;
  verificationMaterial: {
    publicKey: { hint: string };
    tlogEntries: [];
  };
  dsseEnvelope: DsseEnvelope;
}

/** A bundle whose structure has been checked, with its base64 fields decoded. */
export interface ParsedBundle {
  publicKeyHint: string | null;
  publicKeyRawBytes: Buffer | null;
  payload: Buffer;
  payloadType: string;
  signature: Buffer;
}

/** The reference's key hint: hex SHA-256 of the key's SubjectPublicKeyInfo PEM text. */
export function publicKeyHint(key: KeyObject): string {
  return createHash('sha256').update(publicKeyPem(key)).digest('hex');
}

export function buildBundle(envelope: DsseEnvelope, publicKey: KeyObject): SigstoreBundle {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: publicKeyHint(publicKey) }, tlogEntries: [] },
    dsseEnvelope: envelope,
  };
}

const base64 = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'expected standard base64')
  .transform((text) => Buffer.from(text, 'base64'));

const bundleSchema = z.object({
  mediaType: z.literal(BUNDLE_MEDIA_TYPE, { error: `expected "${BUNDLE_MEDIA_TYPE}"` }),
  verificationMaterial: z.object({
    publicKey: z.object(
      { hint: z.string().nullish(), rawBytes: base64.optional() },
      {
        error:
          'expected a key-based signature (publicKey); certificate and Sigstore signatures are not supported',
      },
    ),
  }),
  dsseEnvelope: z.object({
    payload: base64,
    payloadType: z.string(),
    signatures: z.array(z.object({ sig: base64 })).length(1, 'expected exactly one signature'),
  }),
});

/** Checks a bundle's structure (a JSON value, or its text) and decodes it; problems name the field. */
export function parseBundle(bundle: unknown): ParseResult<ParsedBundle> {
  let value = bundle;
  if (typeof bundle === 'string') {
    try {
      value = JSON.parse(bundle);
    } catch (error) {
      return { ok: false, problems: [`signature: not valid JSON (truncated?): ${(error as Error).message}`] };
    }
  }
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error, '') };
  const { verificationMaterial, dsseEnvelope } = parsed.data;
  return {
    ok: true,
    value: {
      publicKeyHint: verificationMaterial.publicKey.hint || null,
      publicKeyRawBytes: verificationMaterial.publicKey.rawBytes ?? null,
      payload: dsseEnvelope.payload,
      payloadType: dsseEnvelope.payloadType,
      signature: dsseEnvelope.signatures[0].sig,
    },
  };
}

/**
 * Problems when the bundle names a key other than `publicKey`: by hint, or by the key it embeds. A bundle
 * naming no key is left to the signature check.
 */
export function keyMismatchProblems(bundle: ParsedBundle, publicKey: KeyObject): string[] {
  if (bundle.publicKeyHint !== null && bundle.publicKeyHint !== publicKeyHint(publicKey)) {
    return [
      'verificationMaterial.publicKey.hint: the signature was made with a different key than the public key given',
    ];
  }
  if (bundle.publicKeyRawBytes !== null) {
    let embedded: KeyObject;
    try {
      embedded = loadPublicKey(bundle.publicKeyRawBytes, 'verificationMaterial.publicKey.rawBytes');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return [`verificationMaterial.publicKey.rawBytes: ${error.problem}`];
    }
    if (!embedded.equals(publicKey)) {
      return [
        'verificationMaterial.publicKey.rawBytes: the signature carries a different key than the public key given',
      ];
    }
  }
  return [];
}

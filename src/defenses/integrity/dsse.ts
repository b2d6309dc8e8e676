/**
 * DSSE, the Dead Simple Signing Envelope (secure-systems-lab/dsse, protocol v1.0.0). The signature is over
 * the pre-authentication encoding PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, with
 * lengths as ASCII decimal byte counts, so that neither the payload type nor the payload can be swapped.
 * Signatures are ECDSA in DER, with the hash that goes with the curve (see keys.ts), as the reference's
 * sign_ec_key.py makes them.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { signatureHash } from './keys.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  sig: string;
  /** The reference writes "" (older versions null); unused for verification. */
  keyid: string | null;
}

export interface DsseEnvelope {
  /** Base64 of the payload bytes. */
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

export function signEnvelope(payload: Uint8Array, payloadType: string, privateKey: KeyObject): DsseEnvelope {
  const signature = sign(signatureHash(privateKey), pae(payloadType, payload), {
    key: privateKey,
    dsaEncoding: 'der',
  });
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: [{ sig: signature.toString('base64'), keyid: '' }],
  };
}

/** True when `signature` (DER) is `publicKey`'s signature over PAE(payloadType, payload). */
export function verifyEnvelopeSignature(
  payload: Uint8Array,
  payloadType: string,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  return verify(
    signatureHash(publicKey),
    pae(payloadType, payload),
    { key: publicKey, dsaEncoding: 'der' },
    signature,
  );
}

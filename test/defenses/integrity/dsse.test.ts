import { describe, expect, it } from 'vitest';
import { pae, signEnvelope, verifyEnvelopeSignature } from '../../../src/defenses/integrity/dsse.js';
import {
  CURVES,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
} from '../../../src/defenses/integrity/keys.js';

describe('pae', () => {
  it('matches the DSSE protocol example', () => {
    const encoded = pae('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(encoded.toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters', () => {
    expect(pae('t', Buffer.from('é', 'utf8')).toString('utf8')).toBe('DSSEv1 1 t 2 é');
  });
});

describe('DSSE envelopes', () => {
  for (const curve of CURVES) {
    it(`verify with the signer's key only, and only for the same payload and type (${curve})`, () => {
      const pair = generateKeyPair(curve);
      const payload = Buffer.from('{"_type":"x"}');
      const envelope = signEnvelope(
        payload,
        'application/vnd.in-toto+json',
        loadPrivateKey(pair.privateKeyPem),
      );
      expect(Buffer.from(envelope.payload, 'base64')).toEqual(payload);
      const signature = Buffer.from(envelope.signatures[0].sig, 'base64');
      expect(signature[0]).toBe(0x30); // DER SEQUENCE
      const publicKey = loadPublicKey(pair.publicKeyPem);
      expect(verifyEnvelopeSignature(payload, envelope.payloadType, signature, publicKey)).toBe(true);
      expect(
        verifyEnvelopeSignature(Buffer.from('{"_type":"y"}'), envelope.payloadType, signature, publicKey),
      ).toBe(false);
      expect(verifyEnvelopeSignature(payload, 'text/plain', signature, publicKey)).toBe(false);
      const other = loadPublicKey(generateKeyPair(curve).publicKeyPem);
      expect(verifyEnvelopeSignature(payload, envelope.payloadType, signature, other)).toBe(false);
      expect(verifyEnvelopeSignature(payload, envelope.payloadType, Buffer.from('not DER'), publicKey)).toBe(
        false,
      );
    });
  }
});

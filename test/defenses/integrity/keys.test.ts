import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CURVES,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  readPrivateKeyFile,
  signatureHash,
  writeKeyPair,
} from '../../../src/defenses/integrity/keys.js';
import { InputError } from '../../../src/errors.js';
import { tempDir, VECTOR_PRIVATE_KEY } from './helpers.js';

const dir = tempDir();

describe('generateKeyPair', () => {
  const expected = {
    p256: ['prime256v1', 'sha256'],
    p384: ['secp384r1', 'sha384'],
    p521: ['secp521r1', 'sha512'],
  };
  for (const curve of CURVES) {
    it(`makes a ${curve} pair whose signatures use the curve's hash (${expected[curve][1]})`, () => {
      const pair = generateKeyPair(curve);
      const privateKey = loadPrivateKey(pair.privateKeyPem);
      const publicKey = loadPublicKey(pair.publicKeyPem);
      expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(expected[curve][0]);
      expect(signatureHash(privateKey)).toBe(expected[curve][1]);
      const signature = sign(signatureHash(privateKey), Buffer.from('model'), privateKey);
      expect(verify(expected[curve][1], Buffer.from('model'), publicKey, signature)).toBe(true);
    });
  }
});

describe('loading keys refuses what it cannot use, without echoing the key', () => {
  const privatePem = generateKeyPair('p256').privateKeyPem;
  const body = privatePem.split('\n')[1];

  it('a private key that is not PEM', () => {
    const error = captureInputError(() =>
      loadPrivateKey(`-----BEGIN PRIVATE KEY-----\n${body}x\n-----END PRIVATE KEY-----\n`),
    );
    expect(error.problem).toBe('not a PEM-encoded private key (PKCS#8 or SEC1)');
    expect(error.message).not.toContain(body);
  });

  it('an encrypted private key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const encrypted = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    });
    expect(captureInputError(() => loadPrivateKey(encrypted)).problem).toMatch(
      /^encrypted private keys are not supported/,
    );
  });

  it('keys that are not on a supported curve', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(captureInputError(() => loadPrivateKey(ed)).problem).toMatch(/^ed25519 keys not supported/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(captureInputError(() => loadPublicKey(k1)).problem).toMatch(/^EC curve secp256k1 not supported/);
  });

  it('a private key given where the public key belongs', () => {
    const error = captureInputError(() => loadPublicKey(privatePem));
    expect(error.problem).toMatch(/^this is a private key/);
    expect(error.message).not.toContain(body);
  });

  it('accepts the SEC1 private key of the reference vectors and DER public keys', () => {
    const key = loadPrivateKey(readFileSync(VECTOR_PRIVATE_KEY));
    const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
    expect(loadPublicKey(der).equals(createPublicKey(key))).toBe(true);
  });
});

describe('key files', () => {
  it('writeKeyPair writes the private key with mode 0600 and refuses to overwrite either file', () => {
    const prefix = join(dir, 'signer');
    const pair = generateKeyPair('p384');
    const { privateKeyPath, publicKeyPath } = writeKeyPair(prefix, pair);
    expect(privateKeyPath).toBe(`${prefix}.pem`);
    expect(publicKeyPath).toBe(`${prefix}.pub.pem`);
    expect(statSync(privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(publicKeyPath, 'utf8')).toBe(pair.publicKeyPem);
    const again = captureInputError(() => writeKeyPair(prefix, generateKeyPair('p256')));
    expect(again.location.file).toBe(privateKeyPath);
    expect(readFileSync(privateKeyPath, 'utf8')).toBe(pair.privateKeyPem);
  });

  for (const mode of [0o640, 0o604, 0o644, 0o666]) {
    it(`readPrivateKeyFile refuses a key file with mode ${mode.toString(8)}, saying chmod 600`, () => {
      const path = join(dir, `key-${mode.toString(8)}.pem`);
      writeFileSync(path, generateKeyPair('p256').privateKeyPem);
      chmodSync(path, mode);
      const error = captureInputError(() => readPrivateKeyFile(path));
      expect(error.message).toBe(
        `${path}: private key is readable by group or others (mode 0${mode.toString(8)}); run: chmod 600 ${path}`,
      );
      chmodSync(path, 0o600);
      expect(readPrivateKeyFile(path).type).toBe('private');
    });
  }
});

function captureInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/**
 * Elliptic-curve keys for model signing: the NIST curves the reference supports (sign_ec_key.py), each with
 * the hash that goes with it, as in Sigstore's key details (PKIX_ECDSA_P256_SHA_256, P384_SHA_384,
 * P521_SHA_512). Key material is never put in a message: errors say what is wrong with a key, not what is in
 * it, and a private key file that group or others can read is refused.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from '../../errors.js';

export type Curve = 'p256' | 'p384' | 'p521';
export const CURVES: readonly Curve[] = ['p256', 'p384', 'p521'];

const CURVE_INFO: Record<Curve, { openssl: string; hash: 'sha256' | 'sha384' | 'sha512' }> = {
  p256: { openssl: 'prime256v1', hash: 'sha256' },
  p384: { openssl: 'secp384r1', hash: 'sha384' },
  p521: { openssl: 'secp521r1', hash: 'sha512' },
};

export interface KeyPairPem {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
}

export function generateKeyPair(curve: Curve = 'p256'): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE_INFO[curve].openssl });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** The curve of an EC key (private or public); an InputError for any other key. */
export function curveOf(key: KeyObject, source = 'key'): Curve {
  const name = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const curve = CURVES.find((c) => CURVE_INFO[c].openssl === name);
  if (curve === undefined) {
    const what = key.asymmetricKeyType === 'ec' ? `EC curve ${name}` : `${key.asymmetricKeyType} keys`;
    throw new InputError(`${what} not supported; expected an EC key on P-256, P-384 or P-521`, {
      file: source,
    });
  }
  return curve;
}

/** The hash ECDSA uses with this key's curve: SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521. */
export function signatureHash(key: KeyObject): 'sha256' | 'sha384' | 'sha512' {
  return CURVE_INFO[curveOf(key)].hash;
}

/** A PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY"). `source` names it in errors. */
export function loadPrivateKey(pem: string | Uint8Array, source = 'private key'): KeyObject {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  if (text.includes('ENCRYPTED')) {
    throw new InputError(
      'encrypted private keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)',
      {
        file: source,
      },
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new InputError('not a PEM-encoded private key (PKCS#8 or SEC1)', { file: source });
  }
  curveOf(key, source);
  return key;
}

/** A public key as PEM or DER SubjectPublicKeyInfo. A private key is refused: pass the public half. */
export function loadPublicKey(data: string | Uint8Array, source = 'public key'): KeyObject {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  if (bytes.includes('PRIVATE KEY')) {
    throw new InputError(
      'this is a private key; verification takes the public key (keygen writes it to PREFIX.pub.pem)',
      {
        file: source,
      },
    );
  }
  const isPem = bytes.includes('-----BEGIN');
  let key: KeyObject;
  try {
    key = isPem
      ? createPublicKey({ key: bytes.toString('utf8'), format: 'pem' })
      : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    throw new InputError('not a PEM or DER public key (SubjectPublicKeyInfo)', { file: source });
  }
  curveOf(key, source);
  return key;
}

/** The SubjectPublicKeyInfo PEM of a key's public half, in OpenSSL's canonical layout. */
export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'pem' }) as string;
}

/** Reads a private key file, refusing one that group or others may read. */
export function readPrivateKeyFile(path: string): KeyObject {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new InputError(`cannot read private key: ${(error as Error).message}`, { file: path });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new InputError(
      `private key is readable by group or others (mode ${octal}); run: chmod 600 ${path}`,
      {
        file: path,
      },
    );
  }
  return loadPrivateKey(readFileSync(path), path);
}

export function readPublicKeyFile(path: string): KeyObject {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new InputError(`cannot read public key: ${(error as Error).message}`, { file: path });
  }
  return loadPublicKey(data, path);
}

/**
 * Writes PREFIX.pem (mode 0600) and PREFIX.pub.pem, refusing to overwrite either. Returns the two paths.
 */
export function writeKeyPair(
  prefix: string,
  pair: KeyPairPem,
): { privateKeyPath: string; publicKeyPath: string } {
  const privateKeyPath = `${prefix}.pem`;
  const publicKeyPath = `${prefix}.pub.pem`;
  for (const path of [privateKeyPath, publicKeyPath]) {
    if (existsSync(path)) throw new InputError('already exists; refusing to overwrite a key', { file: path });
  }
  // 'wx' fails if the file appeared meanwhile; the mode is set at creation, so the key is never readable by others.
  writeExclusive(privateKeyPath, pair.privateKeyPem, 0o600);
  writeExclusive(publicKeyPath, pair.publicKeyPem, 0o644);
  return { privateKeyPath, publicKeyPath };
}

function writeExclusive(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (error) {
    throw new InputError(`cannot write: ${(error as Error).message}`, { file: path });
  }
}

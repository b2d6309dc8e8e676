/**
 * Interoperability with the reference implementation (sigstore/model-transparency): its signatures verify
 * here, tampered copies do not, and what we sign has the same statement, field for field.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  type InTotoStatement,
  publicKeyHint,
  readPublicKeyFile,
  serializeModel,
  signModel,
  verifyModel,
} from '../../../src/defenses/integrity/index.js';
import { copyVector, tempDir, VECTOR_PRIVATE_KEY, VECTOR_PUBLIC_KEY, VECTORS } from './helpers.js';

interface VectorBundle {
  verificationMaterial: { publicKey: { rawBytes: string } };
  dsseEnvelope: { payload: string; signatures: { sig: string }[] };
}

const publicKey = readFileSync(VECTOR_PUBLIC_KEY);
const privateKey = readFileSync(VECTOR_PRIVATE_KEY, 'utf8');
const work = tempDir();

function readBundle(folder: string): VectorBundle {
  return JSON.parse(readFileSync(join(folder, 'model.sig'), 'utf8')) as VectorBundle;
}

function statementOf(bundle: { dsseEnvelope: { payload: string } }): InTotoStatement {
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as InTotoStatement;
}

/** Verifies a copy of the v1.0.1 vector folder, as the reference's test script does. */
async function verifyV101(folder: string, ignorePaths = ['ignore-me']) {
  const signature = join(folder, 'model.sig');
  return verifyModel(folder, readFileSync(signature, 'utf8'), publicKey, {
    ignorePaths,
    signaturePath: signature,
  });
}

describe('reference test vectors', () => {
  it('v1.0.0: a single-file model verifies', async () => {
    const folder = join(VECTORS, 'v1.0.0-elliptic-key');
    const result = await verifyModel(
      join(folder, 'signme-1'),
      readFileSync(join(folder, 'model.sig'), 'utf8'),
      publicKey,
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.manifest.resources.map((r) => r.name)).toEqual(['.']);
  });

  it('v1.0.1: a folder verifies with --ignore-paths ignore-me (and model.sig left out)', async () => {
    const result = await verifyV101(join(VECTORS, 'v1.0.1-elliptic-key'));
    expect(result).toMatchObject({ ok: true });
  });

  it('v1.0.1: without ignoring ignore-me, the extra file is named', async () => {
    const result = await verifyV101(join(VECTORS, 'v1.0.1-elliptic-key'), []);
    expect(result).toEqual({ ok: false, problems: ['unexpected file, not in the signature: ignore-me'] });
  });

  it('v1.0.0: the folder around the single file is not the signed model', async () => {
    const folder = join(VECTORS, 'v1.0.0-elliptic-key');
    const signature = join(folder, 'model.sig');
    const result = await verifyModel(folder, readFileSync(signature, 'utf8'), publicKey, {
      signaturePath: signature,
    });
    expect(result).toEqual({
      ok: false,
      problems: ['the signature is for a single file, but the model is a folder'],
    });
  });

  it('re-hashing the vector folders reproduces exactly the resource digests in their statements', async () => {
    const v101 = join(VECTORS, 'v1.0.1-elliptic-key');
    const signed = statementOf(readBundle(v101)).predicate.resources;
    const manifest = await serializeModel(
      v101,
      { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
      ['ignore-me', 'model.sig'],
    );
    expect(manifest.resources).toEqual(
      signed.map(({ name, algorithm, digest }) => ({ name, algorithm, digest })),
    );

    const v100 = join(VECTORS, 'v1.0.0-elliptic-key');
    const single = await serializeModel(
      join(v100, 'signme-1'),
      {
        method: 'files',
        hashType: 'sha256',
        allowSymlinks: false,
        ignorePaths: [],
      },
      [],
    );
    const [{ name, algorithm, digest }] = statementOf(readBundle(v100)).predicate.resources;
    expect(single.resources).toEqual([{ name, algorithm, digest }]);
  });

  it('a reference bundle that embeds its key fails against another key, saying so', async () => {
    const folder = join(VECTORS, 'v1.0.1-elliptic-key');
    const signature = join(folder, 'model.sig');
    const otherKey = generateKeyPair('p384').publicKeyPem;
    const options = { ignorePaths: ['ignore-me'], signaturePath: signature };
    expect(await verifyModel(folder, readFileSync(signature, 'utf8'), otherKey, options)).toEqual({
      ok: false,
      problems: [
        'verificationMaterial.publicKey.rawBytes: the signature carries a different key than the public key given',
      ],
    });
    const bundle = readBundle(folder);
    bundle.verificationMaterial.publicKey.rawBytes = Buffer.from('not a key').toString('base64');
    expect(await verifyModel(folder, bundle, publicKey, options)).toEqual({
      ok: false,
      problems: [
        'verificationMaterial.publicKey.rawBytes: not a PEM or DER public key (SubjectPublicKeyInfo)',
      ],
    });
  });

  it('our key hint is the hex SHA-256 of the key PEM the reference embeds', () => {
    const embeddedPem = Buffer.from(
      readBundle(join(VECTORS, 'v1.0.1-elliptic-key')).verificationMaterial.publicKey.rawBytes,
      'base64',
    );
    const hint = publicKeyHint(readPublicKeyFile(VECTOR_PUBLIC_KEY));
    expect(hint).toBe(createHash('sha256').update(embeddedPem).digest('hex'));
    // The same key's hint in the reference's v1.1.0 vector (scripts/tests/v1.1.0-elliptic-key/model.sig).
    expect(hint).toBe('e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e');
  });
});

describe('tampered copies of a reference-signed model fail, naming the file', () => {
  const cases: { name: string; tamper: (folder: string) => void; problems: string[] }[] = [
    {
      name: 'a changed byte',
      tamper: (folder) => {
        const path = join(folder, 'signme-2');
        const bytes = readFileSync(path);
        bytes[3] ^= 0x01;
        writeFileSync(path, bytes);
      },
      problems: [
        expect.stringMatching(
          /^changed file: signme-2 \(sha256 32dcb1f8e1ae52d5… signed, [0-9a-f]{16}… now\)$/,
        ),
      ],
    },
    {
      name: 'an appended byte',
      tamper: (folder) => appendFileSync(join(folder, 'signme-1'), 'x'),
      problems: [expect.stringMatching(/^changed file: signme-1 /)],
    },
    {
      name: 'a missing file',
      tamper: (folder) => rmSync(join(folder, 'signme-1')),
      problems: ['missing file: signme-1'],
    },
    {
      name: 'an extra file',
      tamper: (folder) => writeFileSync(join(folder, 'extra.bin'), 'planted'),
      problems: ['unexpected file, not in the signature: extra.bin'],
    },
    {
      name: 'a renamed file',
      tamper: (folder) => renameSync(join(folder, 'signme-2'), join(folder, 'signme-3')),
      problems: ['missing file: signme-2', 'unexpected file, not in the signature: signme-3'],
    },
  ];
  for (const { name, tamper, problems } of cases) {
    it(name, async () => {
      const folder = copyVector('v1.0.1-elliptic-key', join(work, name.replaceAll(' ', '-')));
      expect(await verifyV101(folder)).toMatchObject({ ok: true });
      tamper(folder);
      expect(await verifyV101(folder)).toEqual({ ok: false, problems });
    });
  }
});

describe('signing the vector models ourselves', () => {
  it('gives the same statement as the reference for the same folder, field for field', async () => {
    const folder = copyVector('v1.0.1-elliptic-key', join(work, 'resign'));
    const theirs = statementOf(readBundle(folder));
    const bundle = await signModel(folder, {
      privateKey,
      ignorePaths: ['ignore-me'],
      signaturePath: join(folder, 'model.sig'),
    });
    const ours = statementOf(bundle);
    expect(ours.subject).toEqual(theirs.subject);
    expect(ours.predicateType).toBe(theirs.predicateType);
    expect(ours._type).toBe(theirs._type);
    const sortKeys = (r: object) => Object.fromEntries(Object.entries(r).sort());
    expect(ours.predicate.resources.map(sortKeys)).toEqual(theirs.predicate.resources.map(sortKeys));
    // Like the reference since v1.1, the paths left out are recorded (git metadata, the signature, ours).
    expect(ours.predicate.serialization).toEqual({
      ...theirs.predicate.serialization,
      ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'ignore-me', 'model.sig'],
    });
    expect(Object.keys(bundle)).toEqual(['mediaType', 'verificationMaterial', 'dsseEnvelope']);
    expect(bundle.verificationMaterial).toEqual({
      publicKey: { hint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e' },
      tlogEntries: [],
    });
    expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(bundle.dsseEnvelope.signatures).toEqual([{ sig: expect.any(String), keyid: '' }]);

    writeFileSync(join(folder, 'model.sig'), JSON.stringify(bundle));
    // Our signature records ignore-me, so the verifier needs no --ignore-paths.
    expect(await verifyV101(folder, [])).toMatchObject({ ok: true });
  });

  it('gives the same subject and resource as the reference for the single-file model', async () => {
    const folder = join(VECTORS, 'v1.0.0-elliptic-key');
    const theirs = statementOf(readBundle(folder));
    const ours = statementOf(await signModel(join(folder, 'signme-1'), { privateKey }));
    expect(ours.subject).toEqual(theirs.subject);
    expect(ours.predicate.resources).toEqual(theirs.predicate.resources);
  });
});

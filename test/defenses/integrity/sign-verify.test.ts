import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signEnvelope } from '../../../src/defenses/integrity/dsse.js';
import {
  generateKeyPair,
  type InTotoStatement,
  loadPrivateKey,
  type SigstoreBundle,
  signModel,
  verifyModel,
} from '../../../src/defenses/integrity/index.js';
import { InputError } from '../../../src/errors.js';
import { tempDir, writeSeededModel } from './helpers.js';

const dir = tempDir();
const p256 = generateKeyPair('p256');
const p384 = generateKeyPair('p384');
let counter = 0;

function freshModel(seed: number): string {
  const root = join(dir, `model-${counter++}`);
  mkdirSync(root);
  writeSeededModel(root, seed);
  return root;
}

function statementOf(bundle: SigstoreBundle): InTotoStatement {
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as InTotoStatement;
}

/** A statement as an attacker holding the key could write it: any strings, any number of entries. */
interface LooseStatement {
  _type: string;
  predicateType: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicate: {
    serialization: Record<string, unknown>;
    resources: { name: string; algorithm: string; digest: string }[];
  };
}

/** A copy of `bundle` whose statement is changed by `edit`, then properly signed again with the P-256 key. */
function resigned(bundle: SigstoreBundle, edit: (statement: LooseStatement) => void, payloadType?: string) {
  const statement = statementOf(bundle) as unknown as LooseStatement;
  edit(statement);
  const payload = Buffer.from(JSON.stringify(statement, null, 2));
  const envelope = signEnvelope(
    payload,
    payloadType ?? bundle.dsseEnvelope.payloadType,
    loadPrivateKey(p256.privateKeyPem),
  );
  return { ...bundle, dsseEnvelope: envelope };
}

describe('sign then verify', () => {
  for (const [curve, pair] of [
    ['p256', p256],
    ['p384', p384],
  ] as const) {
    for (const serialization of ['files', 'shards'] as const) {
      for (const seed of [1, 2]) {
        it(`round-trips a folder (${curve}, ${serialization}, seed ${seed})`, async () => {
          const root = freshModel(seed);
          const bundle = await signModel(root, {
            privateKey: pair.privateKeyPem,
            serialization,
            shardSize: 1000,
          });
          const result = await verifyModel(root, JSON.stringify(bundle), pair.publicKeyPem);
          expect(result).toMatchObject({ ok: true });
          if (!result.ok) return;
          expect(result.statement.subject[0].name).toBe(root.split('/').pop());
          expect(result.manifest.serialization.method).toBe(serialization);
        });

        it(`round-trips a single file (${curve}, ${serialization}, seed ${seed})`, async () => {
          const file = join(freshModel(seed), 'weights.bin');
          const bundle = await signModel(file, {
            privateKey: pair.privateKeyPem,
            serialization,
            shardSize: 1000,
          });
          expect(await verifyModel(file, bundle, pair.publicKeyPem)).toMatchObject({ ok: true });
          const names = statementOf(bundle).predicate.resources.map((r) => r.name);
          expect(
            names.every((name) => (serialization === 'files' ? name === '.' : name.startsWith('.:'))),
          ).toBe(true);
        });
      }
    }
  }

  it('verifies the shard layout the signature records, whatever shard size the verifier would pick', async () => {
    const root = freshModel(3);
    const bundle = await signModel(root, {
      privateKey: p256.privateKeyPem,
      serialization: 'shards',
      shardSize: 7,
    });
    const { serialization, resources } = statementOf(bundle).predicate;
    expect(serialization).toEqual({
      method: 'shards',
      hash_type: 'sha256',
      shard_size: 7,
      allow_symlinks: false,
    });
    expect(resources.every((r) => r.algorithm === 'sha256-sharded-7')).toBe(true);
    expect(await verifyModel(root, bundle, p256.publicKeyPem)).toMatchObject({ ok: true });
  });

  it('leaves out the signature file inside the model folder, and git metadata unless asked', async () => {
    const root = freshModel(4);
    const signaturePath = join(root, 'model.sig');
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'config'), '[core]');
    const bundle = await signModel(root, { privateKey: p256.privateKeyPem, signaturePath });
    writeFileSync(signaturePath, JSON.stringify(bundle));
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main');
    expect(await verifyModel(root, bundle, p256.publicKeyPem, { signaturePath })).toMatchObject({ ok: true });

    const withGit = await signModel(root, {
      privateKey: p256.privateKeyPem,
      signaturePath,
      ignoreGitPaths: false,
    });
    expect(statementOf(withGit).predicate.resources.map((r) => r.name)).toContain('.git/HEAD');
    const options = { signaturePath, ignoreGitPaths: false };
    expect(await verifyModel(root, withGit, p256.publicKeyPem, options)).toMatchObject({ ok: true });
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/evil');
    expect(await verifyModel(root, withGit, p256.publicKeyPem, options)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^changed file: \.git\/HEAD/)],
    });
  });

  it('records the ignored paths, so the verifier leaves them out without being told', async () => {
    const root = freshModel(5);
    mkdirSync(join(root, 'cache'));
    writeFileSync(join(root, 'cache', 'a'), 'scratch');
    const bundle = await signModel(root, { privateKey: p256.privateKeyPem, ignorePaths: ['cache'] });
    expect(statementOf(bundle).predicate.serialization).toMatchObject({
      ignore_paths: expect.arrayContaining(['cache']),
    });
    writeFileSync(join(root, 'cache', 'b'), 'more scratch');
    expect(await verifyModel(root, bundle, p256.publicKeyPem)).toMatchObject({ ok: true });
  });

  it('follows symbolic links inside the model only when the signature allows them', async () => {
    const root = freshModel(6);
    symlinkSync('config.json', join(root, 'alias.json'));
    await expect(signModel(root, { privateKey: p256.privateKeyPem })).rejects.toThrow(
      /alias\.json: is a symbolic link/,
    );
    const bundle = await signModel(root, { privateKey: p256.privateKeyPem, allowSymlinks: true });
    expect(await verifyModel(root, bundle, p256.publicKeyPem)).toMatchObject({ ok: true });
  });
});

describe('verification fails closed on a changed model, naming the file', () => {
  const cases: {
    name: string;
    serialization: 'files' | 'shards';
    tamper: (root: string) => void;
    problems: unknown[];
  }[] = [
    {
      name: 'a changed byte (files)',
      serialization: 'files',
      tamper: (root) => flipByte(join(root, 'weights.bin'), 17),
      problems: [
        expect.stringMatching(
          /^changed file: weights\.bin \(sha256 [0-9a-f]{16}… signed, [0-9a-f]{16}… now\)$/,
        ),
      ],
    },
    {
      name: 'a changed byte (shards), naming the shard',
      serialization: 'shards',
      tamper: (root) => flipByte(join(root, 'weights.bin'), 17),
      problems: ['changed file: weights.bin (content differs in bytes 0-1000)'],
    },
    {
      name: 'a grown file (shards)',
      serialization: 'shards',
      tamper: (root) => appendFileSync(join(root, 'config.json'), '\n'),
      problems: ['changed file: config.json (its size differs from the signed file)'],
    },
    {
      name: 'an added empty file (shards)',
      serialization: 'shards',
      tamper: (root) => writeFileSync(join(root, 'planted'), ''),
      problems: ['unexpected file, not in the signature: planted'],
    },
    {
      name: 'an emptied file (files)',
      serialization: 'files',
      tamper: (root) => writeFileSync(join(root, 'config.json'), ''),
      problems: [expect.stringMatching(/^changed file: config\.json/)],
    },
    {
      name: 'a missing file',
      serialization: 'files',
      tamper: (root) => rmSync(join(root, 'empty.txt')),
      problems: ['missing file: empty.txt'],
    },
    {
      name: 'an extra file in a new folder',
      serialization: 'files',
      tamper: (root) => {
        mkdirSync(join(root, 'extra'));
        writeFileSync(join(root, 'extra', 'payload.py'), 'import os');
      },
      problems: ['unexpected file, not in the signature: extra/payload.py'],
    },
    {
      name: 'a renamed file',
      serialization: 'files',
      tamper: (root) => renameSync(join(root, 'weights.bin'), join(root, 'weights.bin.bak')),
      problems: ['missing file: weights.bin', 'unexpected file, not in the signature: weights.bin.bak'],
    },
    {
      name: 'a symbolic link put in place of a file',
      serialization: 'files',
      tamper: (root) => {
        rmSync(join(root, 'config.json'));
        symlinkSync('/etc/hostname', join(root, 'config.json'));
      },
      problems: ['config.json: is a symbolic link; symbolic links are refused unless allowed'],
    },
  ];
  for (const { name, serialization, tamper, problems } of cases) {
    it(name, async () => {
      const root = freshModel(7);
      const bundle = await signModel(root, {
        privateKey: p256.privateKeyPem,
        serialization,
        shardSize: 1000,
      });
      tamper(root);
      expect(await verifyModel(root, bundle, p256.publicKeyPem)).toEqual({ ok: false, problems });
    });
  }

  it('refuses a link that leaves the model even when the signature allows links', async () => {
    const root = freshModel(8);
    const bundle = await signModel(root, { privateKey: p256.privateKeyPem, allowSymlinks: true });
    writeFileSync(join(dir, 'outside'), 'not part of the model');
    symlinkSync(join(dir, 'outside'), join(root, 'escape'));
    expect(await verifyModel(root, bundle, p256.publicKeyPem)).toEqual({
      ok: false,
      problems: ['escape: symbolic link points outside the model folder'],
    });
  });
});

describe('verification fails closed on a bad signature, naming the field', () => {
  const root = freshModel(9);
  const signed = signModel(root, { privateKey: p256.privateKeyPem });

  async function problemsWith(bundle: unknown, publicKeyPem = p256.publicKeyPem): Promise<string[]> {
    const result = await verifyModel(root, bundle, publicKeyPem);
    return result.ok ? [] : result.problems;
  }

  it('a different key', async () => {
    expect(await problemsWith(await signed, p384.publicKeyPem)).toEqual([
      'verificationMaterial.publicKey.hint: the signature was made with a different key than the public key given',
    ]);
  });

  it('a different key, for a bundle that names no key', async () => {
    const bundle = await signed;
    const anonymous = { ...bundle, verificationMaterial: { publicKey: {}, tlogEntries: [] } };
    expect(await problemsWith(anonymous, generateKeyPair('p256').publicKeyPem)).toEqual([
      'dsseEnvelope.signatures[0].sig: the signature does not verify with the public key given',
    ]);
  });

  it('an altered signature', async () => {
    const bundle = await signed;
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
    sig[sig.length - 2] ^= 0x01;
    const altered = {
      ...bundle,
      dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    };
    expect(await problemsWith(altered)).toEqual([
      'dsseEnvelope.signatures[0].sig: the signature does not verify with the public key given',
    ]);
  });

  it('an altered payload (a digest swapped without re-signing)', async () => {
    const bundle = await signed;
    const statement = statementOf(bundle);
    statement.predicate.resources[0].digest = 'ab'.repeat(32);
    const payload = Buffer.from(JSON.stringify(statement, null, 2)).toString('base64');
    expect(await problemsWith({ ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload } })).toEqual([
      'dsseEnvelope.signatures[0].sig: the signature does not verify with the public key given',
    ]);
  });

  it('a truncated signature file', async () => {
    const text = JSON.stringify(await signed);
    expect(await problemsWith(text.slice(0, text.length / 2))).toEqual([
      expect.stringMatching(/^signature: not valid JSON \(truncated\?\): /),
    ]);
  });

  it('malformed bundles', async () => {
    const bundle = await signed;
    expect(await problemsWith({ ...bundle, mediaType: 'application/json' })).toEqual([
      'mediaType: expected "application/vnd.dev.sigstore.bundle.v0.3+json"',
    ]);
    expect(
      await problemsWith({ ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [] } }),
    ).toEqual(['dsseEnvelope.signatures: expected exactly one signature']);
    expect(
      await problemsWith({
        ...bundle,
        dsseEnvelope: { ...bundle.dsseEnvelope, signatures: [{ sig: 'not base64!' }] },
      }),
    ).toEqual(['dsseEnvelope.signatures[0].sig: expected standard base64']);
    const { dsseEnvelope: _, ...noEnvelope } = bundle;
    expect(await problemsWith(noEnvelope)).toEqual([expect.stringMatching(/^dsseEnvelope: /)]);
    expect(
      await problemsWith({ ...bundle, verificationMaterial: { certificate: { rawBytes: 'AAAA' } } }),
    ).toEqual([
      'verificationMaterial.publicKey: expected a key-based signature (publicKey); certificate and Sigstore signatures are not supported',
    ]);
    expect(await problemsWith([])).toEqual([expect.stringMatching(/^\(top level\): /)]);
  });

  const statementCases: { name: string; edit: (s: LooseStatement) => void; problems: unknown[] }[] = [
    {
      name: 'a resource path with ".."',
      edit: (s) => {
        s.predicate.resources[0].name = '../outside';
      },
      problems: ['payload.predicate.resources[0].name: not a path inside the model: "../outside"'],
    },
    {
      name: 'a subject digest that does not match the resources',
      edit: (s) => {
        s.subject[0].digest.sha256 = '0'.repeat(64);
      },
      problems: ['payload.subject[0].digest.sha256: does not match the digest of the listed resources'],
    },
    {
      name: 'a resource listed twice',
      edit: (s) => {
        s.predicate.resources.push(s.predicate.resources[0]);
      },
      problems: [expect.stringMatching(/^payload\.predicate\.resources\[\d+\]\.name: ".+" is listed twice$/)],
    },
    {
      name: 'a resource with another algorithm',
      edit: (s) => {
        s.predicate.resources[1].algorithm = 'sha256-sharded-8';
      },
      problems: ['payload.predicate.resources[1].algorithm: expected "sha256", got "sha256-sharded-8"'],
    },
    {
      name: 'an unsupported hash',
      edit: (s) => {
        s.predicate.serialization.hash_type = 'blake2';
      },
      problems: [
        'payload.predicate.serialization.hash_type: unsupported hash type: only "sha256" is supported',
      ],
    },
    {
      name: 'an unknown serialization method',
      edit: (s) => {
        s.predicate.serialization.method = 'tensors';
      },
      problems: [
        'payload.predicate.serialization.method: unknown serialization method: expected "files" or "shards"',
      ],
    },
    {
      name: 'an ignore path that leaves the model',
      edit: (s) => {
        s.predicate.serialization.ignore_paths = ['../../etc'];
      },
      problems: ['payload.predicate.serialization.ignore_paths[0]: not a path inside the model: "../../etc"'],
    },
    {
      name: 'the pre-1.0 predicate type',
      edit: (s) => {
        s.predicateType = 'https://model_signing/Digests/v0.1';
      },
      problems: [
        'payload.predicateType: expected "https://model_signing/signature/v1.0", got "https://model_signing/Digests/v0.1" (model_signing v0.2 signatures are not supported)',
      ],
    },
    {
      name: 'another statement type',
      edit: (s) => {
        s._type = 'https://in-toto.io/Statement/v0.1';
      },
      problems: [
        'payload._type: expected "https://in-toto.io/Statement/v1", got "https://in-toto.io/Statement/v0.1"',
      ],
    },
    {
      name: 'two subjects',
      edit: (s) => {
        s.subject.push(s.subject[0]);
      },
      problems: ['payload.subject: expected exactly one subject'],
    },
  ];
  for (const { name, edit, problems } of statementCases) {
    it(`a properly signed statement with ${name}`, async () => {
      expect(await problemsWith(resigned(await signed, edit))).toEqual(problems);
    });
  }

  it('a properly signed envelope of another payload type', async () => {
    expect(await problemsWith(resigned(await signed, () => {}, 'text/plain'))).toEqual([
      'dsseEnvelope.payloadType: expected "application/vnd.in-toto+json", got "text/plain"',
    ]);
  });

  it('still verifies the untouched bundle (the cases above fail for their own reason)', async () => {
    expect(await problemsWith(await signed)).toEqual([]);
    expect(await problemsWith(resigned(await signed, () => {}))).toEqual([]);
  });
});

describe('bad arguments are InputErrors', () => {
  it('a model path that does not exist', async () => {
    const bundle = await signModel(freshModel(10), { privateKey: p256.privateKeyPem });
    await expect(verifyModel(join(dir, 'nothing-here'), bundle, p256.publicKeyPem)).rejects.toThrow(
      InputError,
    );
  });

  it('an ignore path outside the model', async () => {
    const root = freshModel(11);
    await expect(signModel(root, { privateKey: p256.privateKeyPem, ignorePaths: ['../x'] })).rejects.toThrow(
      '"../x" does not name something inside the model folder',
    );
  });

  it('a folder with nothing to sign', async () => {
    const root = join(dir, 'empty-model');
    mkdirSync(join(root, '.git'), { recursive: true });
    writeFileSync(join(root, '.git', 'HEAD'), 'x');
    await expect(signModel(root, { privateKey: p256.privateKeyPem })).rejects.toThrow(/nothing to sign/);
  });
});

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] ^= 0x01;
  writeFileSync(path, bytes);
}

import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, VECTORS, writeSeededModel } from '../../defenses/integrity/helpers.js';
import { recordingCli } from '../run-cli.js';

const dir = tempDir();
/** Keeps everything any command printed, to check that no private key ever shows up. */
const cli = recordingCli();
const run = (...argv: string[]) => cli.run(argv);

function model(name: string, seed: number): string {
  const root = join(dir, name);
  mkdirSync(root);
  writeSeededModel(root, seed);
  return root;
}

describe('antidote keygen, sign, verify', () => {
  const prefix = join(dir, 'signer');
  /** `antidote sign ROOT` with the test key, then any more arguments. */
  const sign = (root: string, signature: string, ...more: string[]) =>
    run('sign', root, '--key', `${prefix}.pem`, '--signature', signature, ...more);
  /** `antidote verify ROOT` against the test key's public half, then any more arguments. */
  const verify = (root: string, signature: string, ...more: string[]) =>
    run('verify', root, '--signature', signature, '--public-key', `${prefix}.pub.pem`, ...more);

  it('keygen writes PREFIX.pem with mode 0600 and PREFIX.pub.pem', async () => {
    const { code, stderr } = await run('keygen', '--curve', 'p384', '--out', prefix);
    expect(code).toBe(0);
    expect(statSync(`${prefix}.pem`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${prefix}.pub.pem`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(stderr).toContain(`${prefix}.pem`);
  });

  it('keygen refuses to overwrite a key, and an unknown curve', async () => {
    const before = readFileSync(`${prefix}.pem`, 'utf8');
    expect(await run('keygen', '--out', prefix)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('refusing to overwrite'),
    });
    expect(readFileSync(`${prefix}.pem`, 'utf8')).toBe(before);
    expect((await run('keygen', '--curve', 'p999', '--out', join(dir, 'other'))).code).toBe(2);
    expect(existsSync(join(dir, 'other.pem'))).toBe(false);
  });

  for (const serialization of ['files', 'shards']) {
    it(`sign then verify a folder, the signature inside it (${serialization})`, async () => {
      const root = model(`model-${serialization}`, 1);
      const signature = join(root, 'model.sig');
      const signed = await sign(root, signature, '--serialization', serialization, '--shard-size', '100');
      expect(signed).toMatchObject({ code: 0, stdout: '' });
      expect(JSON.parse(readFileSync(signature, 'utf8')).mediaType).toBe(
        'application/vnd.dev.sigstore.bundle.v0.3+json',
      );

      const verified = await verify(root, signature);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toMatch(
        new RegExp(
          `^OK: ${root} matches its signature \\(\\d+ ${serialization}, signed as "model-${serialization}"\\)\\n$`,
        ),
      );

      const json = await verify(root, signature, '--format', 'json');
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        subject: { name: `model-${serialization}` },
        serialization: { method: serialization },
      });
    });
  }

  it('verify exits 1 and lists the problems when the model changed', async () => {
    const root = model('tampered', 2);
    const signature = join(dir, 'tampered.sig');
    expect((await sign(root, signature)).code).toBe(0);
    writeFileSync(join(root, 'config.json'), '{"poisoned": true}');
    writeFileSync(join(root, 'backdoor.bin'), 'x');
    const text = await verify(root, signature);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')).toEqual([
      `FAILED: ${root} does not match its signature`,
      '  - unexpected file, not in the signature: backdoor.bin',
      expect.stringMatching(/^ {2}- changed file: config\.json \(sha256 /),
      '',
    ]);
    const json = await verify(root, signature, '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      problems: [expect.any(String), expect.any(String)],
    });
  });

  it('verifies the reference vector with --ignore-paths, and fails without', async () => {
    const folder = join(dir, 'v1.0.1');
    cpSync(join(VECTORS, 'v1.0.1-elliptic-key'), folder, { recursive: true });
    const args = [
      'verify',
      folder,
      '--signature',
      join(folder, 'model.sig'),
      '--public-key',
      join(VECTORS, 'keys/signing-key-pub.pem'),
    ];
    expect((await run(...args, '--ignore-paths', 'ignore-me')).code).toBe(0);
    expect(await run(...args)).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('unexpected file, not in the signature: ignore-me'),
    });
  });

  it('writes the signature to stdout with --signature -', async () => {
    const root = model('to-stdout', 3);
    const { code, stdout } = await sign(root, '-');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
  });

  it('refuses a private key file that group or others can read, saying chmod 600', async () => {
    const loose = join(dir, 'loose.pem');
    cpSync(`${prefix}.pem`, loose);
    chmodSync(loose, 0o644);
    const { code, stderr } = await run(
      'sign',
      model('loose-key', 4),
      '--key',
      loose,
      '--signature',
      join(dir, 'loose.sig'),
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      `antidote: ${loose}: private key is readable by group or others (mode 0644); run: chmod 600 ${loose}\n`,
    );
    expect(existsSync(join(dir, 'loose.sig'))).toBe(false);
  });

  it('exits 2 with one line for bad arguments', async () => {
    const root = model('bad-args', 5);
    const signature = join(dir, 'bad-args.sig');
    expect((await sign(root, signature)).code).toBe(0);
    const cases = [
      [['verify', root, '--signature', signature, '--public-key', `${prefix}.pem`], 'this is a private key'],
      [
        ['verify', root, '--signature', join(dir, 'none.sig'), '--public-key', `${prefix}.pub.pem`],
        'cannot read the signature',
      ],
      [
        ['verify', join(dir, 'no-model'), '--signature', signature, '--public-key', `${prefix}.pub.pem`],
        'cannot read the model',
      ],
      [
        ['sign', root, '--key', `${prefix}.pem`, '--signature', signature, '--ignore-paths', '../x'],
        'does not name something inside',
      ],
      [['sign', root, '--key', `${prefix}.pub.pem`, '--signature', signature], 'private key is readable'],
    ] as const;
    for (const [argv, message] of cases) {
      const { code, stderr } = await run(...argv);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 for a truncated signature file', async () => {
    const root = model('truncated', 6);
    const signature = join(dir, 'truncated.sig');
    await sign(root, signature);
    writeFileSync(signature, readFileSync(signature, 'utf8').slice(0, 300));
    const { code, stdout } = await verify(root, signature);
    expect(code).toBe(1);
    expect(stdout).toContain('signature: not valid JSON (truncated?)');
  });

  it('never prints a private key, in any output above or for a corrupt key', async () => {
    const corrupt = join(dir, 'corrupt.pem');
    writeFileSync(corrupt, readFileSync(`${prefix}.pem`, 'utf8').replace(/[A-Za-z]{8}/, 'AAAAAAAA'), {
      mode: 0o600,
    });
    expect(
      (await run('sign', model('corrupt-key', 7), '--key', corrupt, '--signature', join(dir, 'c.sig'))).code,
    ).toBe(2);
    const secrets = [`${prefix}.pem`, corrupt].flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0 && !line.startsWith('-----')),
    );
    const printed = cli.printed();
    expect(printed.length).toBeGreaterThan(0);
    for (const line of secrets) expect(printed).not.toContain(line);
    expect(printed).not.toContain('PRIVATE KEY-----');
  });
});

import { chmodSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, loadPublicKey } from '../../src/defenses/integrity/keys.js';
import { InputError } from '../../src/errors.js';
import { entryHash, GENESIS_HASH } from '../../src/registry/audit-log.js';
import { canonicalJson } from '../../src/registry/canonical-json.js';
import { checkFiles } from '../../src/registry/check-files.js';
import { parseRef } from '../../src/registry/refs.js';
import { initRegistry, Registry } from '../../src/registry/registry.js';
import { verifyRegistry } from '../../src/registry/verify.js';
import { tempDir, writeFiles } from './helpers.js';

const dir = tempDir();
let counter = 0;

/**
 * A registry holding: dataset raw@1, raw@2; dataset clean@1 from raw@1; model m1@1 from clean@1; model m2@1
 * from raw@1 and clean@1; model m3@1 from raw@2. Returns it open.
 */
function populated(seed: number): Registry {
  const root = join(dir, `reg-${++counter}`);
  initRegistry(root);
  const registry = Registry.open(root);
  const work = join(dir, `work-${counter}`);
  const raw1 = writeFiles(join(work, 'raw1'), seed, { 'a.csv': 300, 'b/c.csv': 200 });
  const raw2 = writeFiles(join(work, 'raw2'), seed + 1, { 'a.csv': 300, 'b/c.csv': 200 });
  const clean = writeFiles(join(work, 'clean'), seed + 2, { 'clean.csv': 250 });
  const m1 = writeFiles(join(work, 'm1'), seed + 3, { 'weights.safetensors': 500, 'architecture.json': 80 });
  const m2 = writeFiles(join(work, 'm2'), seed + 4, { 'weights.safetensors': 500 });
  const m3 = writeFiles(join(work, 'm3'), seed + 5, { 'model.bin': 100 });
  registry.add({ kind: 'dataset', path: raw1, name: 'raw' });
  registry.add({ kind: 'dataset', path: raw2, name: 'raw' });
  registry.add({ kind: 'dataset', path: clean, name: 'clean', from: [parseRef('raw@1')] });
  registry.add({ kind: 'model', path: m1, name: 'm1', from: [parseRef('clean@1')] });
  registry.add({ kind: 'model', path: m2, name: 'm2', from: [parseRef('raw@1'), parseRef('clean@1')] });
  registry.add({ kind: 'model', path: join(m3, 'model.bin'), name: 'm3', from: [parseRef('raw@2')] });
  return registry;
}

/** Runs SQL on the registry database as an attacker with file access would (triggers dropped). */
function tamper(registry: Registry, sql: string): void {
  const db = new Database(registry.layout.database);
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

describe('registry: versions, provenance, impact', () => {
  it.each([1, 2])('seed %i: versions, list, show and the transitive impact of a dataset version', (seed) => {
    const registry = populated(seed);
    expect(registry.list()).toEqual([
      { name: 'clean', kind: 'dataset', latest: 1, versions: 1 },
      { name: 'm1', kind: 'model', latest: 1, versions: 1 },
      { name: 'm2', kind: 'model', latest: 1, versions: 1 },
      { name: 'm3', kind: 'model', latest: 1, versions: 1 },
      { name: 'raw', kind: 'dataset', latest: 2, versions: 2 },
    ]);
    const impact = registry.impact(parseRef('raw@1'));
    expect(impact.map((e) => [`${e.name}@${e.version}`, e.depth])).toEqual([
      ['clean@1', 1],
      ['m2@1', 1],
      ['m1@1', 2],
    ]);
    expect(impact.find((e) => e.name === 'm2')!.inputs).toEqual(['clean@1', 'raw@1']);
    expect(registry.impact(parseRef('raw@2')).map((e) => e.name)).toEqual(['m3']);
    expect(registry.impact(parseRef('m1@1'))).toEqual([]);

    const shown = registry.show(parseRef('m2'));
    expect(shown).toMatchObject({
      name: 'm2',
      version: 1,
      kind: 'model',
      inputs: ['clean@1', 'raw@1'],
      usedBy: [],
    });
    expect(shown.provenance._type).toBe('https://in-toto.io/Statement/v1');
    expect(shown.provenance.predicateType).toBe('https://antidote.dev/provenance/v1');
    expect(shown.provenance.subject).toEqual(
      shown.files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    );
    expect(shown.provenance.predicate.inputs.map((i) => `${i.name}@${i.version}`).sort()).toEqual(
      shown.inputs,
    );
    expect(registry.show(parseRef('m3')).files.map((f) => f.path)).toEqual(['model.bin']);
    expect(registry.show(parseRef('raw@1')).usedBy).toEqual(['clean@1', 'm2@1']);

    const log = registry.log();
    expect(log.map((e) => e.action)).toEqual(['init', 'add', 'add', 'add', 'add', 'add', 'add']);
    expect(log.map((e) => e.subject).slice(1)).toEqual(['raw@1', 'raw@2', 'clean@1', 'm1@1', 'm2@1', 'm3@1']);
    let prev = GENESIS_HASH;
    for (const entry of log) {
      expect(entry.prevHash).toBe(prev);
      expect(entry.hash).toBe(entryHash(prev, entry));
      prev = entry.hash;
    }
    const result = verifyRegistry(registry);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked).toMatchObject({ auditRows: 7, versions: 6 });
    registry.close();
  });

  it('re-adding identical content is unchanged; identical files are stored once', () => {
    const registry = populated(3);
    const work = join(dir, 'dedupe');
    const a = writeFiles(join(work, 'a'), 30, { 'x.bin': 1000, 'y.bin': 10 });
    const first = registry.add({ kind: 'dataset', path: a, name: 'ds' });
    const blobsAfterFirst = registry.blobs.list().digests.length;
    const again = registry.add({ kind: 'dataset', path: a, name: 'ds' });
    expect(first).toMatchObject({ status: 'added', version: 1, files: 2, bytes: 1010 });
    expect(again).toMatchObject({ status: 'unchanged', version: 1, manifestDigest: first.manifestDigest });
    expect(registry.blobs.list().digests.length).toBe(blobsAfterFirst);
    writeFileSync(join(a, 'y.bin'), 'changed');
    const second = registry.add({ kind: 'dataset', path: a, name: 'ds' });
    expect(second).toMatchObject({ status: 'added', version: 2 });
    // x.bin is shared by both versions: one new file blob, one manifest, one provenance statement
    expect(registry.blobs.list().digests.length).toBe(blobsAfterFirst + 3);
    expect(registry.log().filter((e) => e.subject.startsWith('ds@')).length).toBe(2);
    expect(verifyRegistry(registry).ok).toBe(true);
    registry.close();
  });

  it('refuses bad names, references, kinds and inputs with located errors', () => {
    const registry = populated(4);
    const folder = writeFiles(join(dir, 'bad-input'), 40, { 'f.bin': 10 });
    expect(() => parseRef('x@0')).toThrow(/positive integer/);
    expect(() => parseRef('../etc')).toThrow(/not a valid name/);
    expect(() => parseRef('raw', true)).toThrow(/needs a version/);
    expect(() => registry.add({ kind: 'dataset', path: folder, name: 'a/b' })).toThrow(InputError);
    expect(() => registry.add({ kind: 'dataset', path: folder, name: 'm1' })).toThrow(
      /is a model, not a dataset/,
    );
    expect(() => registry.add({ kind: 'model', path: folder, name: 'x', from: [parseRef('raw@9')] })).toThrow(
      /has no version 9 \(the latest is 2\)/,
    );
    expect(() => registry.impact(parseRef('nope@1'))).toThrow(/no artifact named "nope"/);
    expect(registry.list().some((a) => a.name === 'x')).toBe(false);
    registry.close();
  });

  it('refuses a symbolic link that leaves the folder, even when links are allowed', () => {
    const registry = populated(5);
    const folder = writeFiles(join(dir, 'linked'), 50, { 'f.bin': 10 });
    writeFileSync(join(dir, 'link-target.bin'), 'outside');
    symlinkSync(join(dir, 'link-target.bin'), join(folder, 'outside.bin'));
    expect(() => registry.add({ kind: 'model', path: folder, name: 'linked' })).toThrow(/symbolic link/);
    expect(() => registry.add({ kind: 'model', path: folder, name: 'linked', allowSymlinks: true })).toThrow(
      /points outside the model folder/,
    );
    registry.close();
  });
});

describe('registry check of files on disk', () => {
  it('names a changed, a missing and an extra file; refuses a link out of the folder', async () => {
    const registry = populated(15);
    const folder = writeFiles(join(dir, 'deployed'), 150, {
      'w.bin': 100,
      'cfg/a.json': 20,
      'cfg/b.json': 20,
    });
    registry.add({ kind: 'model', path: folder, name: 'deployed' });
    expect(await checkFiles(registry, parseRef('deployed@1'), folder)).toEqual({
      ok: true,
      ref: 'deployed@1',
      problems: [],
    });
    writeFileSync(join(folder, 'w.bin'), 'changed');
    rmSync(join(folder, 'cfg/a.json'));
    writeFileSync(join(folder, 'extra.txt'), 'x');
    expect(await checkFiles(registry, parseRef('deployed'), folder)).toEqual({
      ok: false,
      ref: 'deployed@1',
      problems: [
        'missing file: cfg/a.json',
        'extra file, not in the version: extra.txt',
        'changed file: w.bin',
      ],
    });
    rmSync(join(folder, 'extra.txt'));
    writeFileSync(join(dir, 'outside-target.bin'), 'outside');
    symlinkSync(join(dir, 'outside-target.bin'), join(folder, 'link.bin'));
    await expect(checkFiles(registry, parseRef('deployed'), folder, { allowSymlinks: true })).rejects.toThrow(
      /points outside the model folder/,
    );
    registry.close();
  });
});

describe('registry: keys', () => {
  it('creates the signing key with mode 0600 and refuses it once others can read it', () => {
    const registry = populated(6);
    expect(statSync(registry.layout.privateKey).mode & 0o777).toBe(0o600);
    expect(() => initRegistry(registry.layout.root)).toThrow(/already exists/);
    chmodSync(registry.layout.privateKey, 0o644);
    const folder = writeFiles(join(dir, 'key-test'), 60, { 'f.bin': 10 });
    expect(() => registry.add({ kind: 'model', path: folder, name: 'k' })).toThrow(
      /readable by group or others \(mode 0644\)/,
    );
    try {
      registry.add({ kind: 'model', path: folder, name: 'k' });
    } catch (error) {
      expect((error as Error).message).not.toMatch(/BEGIN|PRIVATE KEY/);
    }
    registry.close();
  });
});

describe('registry verify fails closed, naming what failed', () => {
  it('a modified audit row', () => {
    const registry = populated(7);
    tamper(registry, `UPDATE audit_log SET details = '{"kind":"model"}' WHERE seq = 3`);
    const result = verifyRegistry(registry);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/^audit log row 3: its hash does not match its content/);
    registry.close();
  });

  it('a row re-hashed without the key: the chain holds, the signed head does not', () => {
    const registry = populated(8);
    const rows = registry.log();
    const forged = { ...rows[rows.length - 1], subject: 'forged@1' };
    const hash = entryHash(forged.prevHash, forged);
    tamper(registry, `UPDATE audit_log SET subject = 'forged@1', hash = '${hash}' WHERE seq = ${forged.seq}`);
    const result = verifyRegistry(registry);
    expect(result.problems).toContain(
      `audit log head: row ${forged.seq} is not the row that was signed (it was rewritten and re-hashed)`,
    );
    registry.close();
  });

  it('a truncated log and a removed head', () => {
    const registry = populated(9);
    tamper(registry, 'DELETE FROM audit_log WHERE seq = 7');
    expect(verifyRegistry(registry).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/audit log head: signed for row 7, but the log ends at row 6/),
        "version m3@1: not in the audit log (added behind the registry's back)",
      ]),
    );
    tamper(registry, 'DELETE FROM audit_head');
    expect(verifyRegistry(registry).problems).toContain(
      'audit log head: missing (the signed head was removed)',
    );
    registry.close();
  });

  it('a wrong public key', () => {
    const registry = populated(10);
    const other = loadPublicKey(generateKeyPair('p256').publicKeyPem);
    const problems = verifyRegistry(registry, other).problems;
    expect(problems).toContain('audit log head: the signature does not verify with the registry public key');
    expect(problems).toContain(
      'audit log row 1: the registry was created with another key than the one verifying it',
    );
    registry.close();
  });

  it('a modified, a missing and a stray blob', () => {
    const registry = populated(11);
    const file = registry.show(parseRef('m1')).files[0];
    const blob = registry.blobs.path(file.sha256);
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'tampered');
    let result = verifyRegistry(registry);
    expect(result.problems).toContain(
      `version m1@1: file ${file.path}: blob ${file.sha256}: its content does not match its digest (the blob was modified)`,
    );
    rmSync(blob);
    result = verifyRegistry(registry);
    expect(result.problems).toContain(`version m1@1: file ${file.path}: blob ${file.sha256}: missing`);
    writeFileSync(join(registry.layout.blobs, 'sha256', 'notes.txt'), 'x');
    expect(verifyRegistry(registry).problems).toContain(
      'blob store: unexpected entry "notes.txt" (not named by a digest)',
    );
    registry.close();
  });

  it('database rows changed behind the log: artifact digest, file list, provenance edge', () => {
    const registry = populated(12);
    const m1 = registry.show(parseRef('m1'));
    tamper(registry, `UPDATE artifacts SET manifest_digest = '${'a'.repeat(64)}' WHERE name = 'm1'`);
    expect(verifyRegistry(registry).problems).toEqual([
      'version m1@1: its database row differs from what audit log row 5 recorded',
    ]);
    tamper(registry, `UPDATE artifacts SET manifest_digest = '${m1.manifestDigest}' WHERE name = 'm1'`);
    tamper(
      registry,
      `UPDATE artifact_files SET digest = '${'b'.repeat(64)}' WHERE path = '${m1.files[0].path}'`,
    );
    expect(verifyRegistry(registry).problems).toContain(
      "version m1@1: the database's file list differs from the version's manifest",
    );
    tamper(
      registry,
      `UPDATE artifact_files SET digest = '${m1.files[0].sha256}' WHERE path = '${m1.files[0].path}'`,
    );
    expect(verifyRegistry(registry).ok).toBe(true);
    tamper(
      registry,
      "DELETE FROM provenance WHERE child_id = (SELECT id FROM artifacts WHERE name = 'm2') AND parent_id = (SELECT id FROM artifacts WHERE name = 'raw' AND version = 1)",
    );
    expect(verifyRegistry(registry).problems).toEqual([
      "version m2@1: the provenance statement does not match the version's files or inputs",
    ]);
    registry.close();
  });

  it('the append-only triggers stop in-place edits through SQL', () => {
    const registry = populated(13);
    expect(() => registry.db.prepare("UPDATE audit_log SET subject = 'x' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => registry.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    registry.close();
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: [2, { z: 1, a: null }], a: 'x' })).toBe('{"a":"x","b":[2,{"a":null,"z":1}]}');
    expect(() => canonicalJson(Number.NaN)).toThrow(RangeError);
  });
});

it('leaves no temporary files after normal adds', () => {
  const registry = populated(14);
  expect(readdirSync(join(registry.layout.blobs, 'tmp'))).toEqual([]);
  registry.close();
});

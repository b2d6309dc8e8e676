/**
 * The versioned registry of datasets and models: files in a content-addressed blob store, versions and
 * provenance edges in SQLite, every change in the hash-chained, signed audit log (see layout.ts for where
 * things live). Versions are integers counted per name; adding content identical to the latest version of a
 * name is reported as unchanged and makes no new version.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { generateKeyPair, readPrivateKeyFile, writeKeyPair } from '../defenses/integrity/keys.js';
import { listModelFiles } from '../defenses/integrity/model-files.js';
import { InputError } from '../errors.js';
import { type AuditEntry, appendAudit, readAudit } from './audit-log.js';
import { BlobStore } from './blob-store.js';
import { canonicalJson } from './canonical-json.js';
import { type Db, openDatabase, writeTransaction } from './database.js';
import { type RegistryLayout, registryLayout } from './layout.js';
import {
  type ManifestFile,
  manifestJson,
  type ProvenanceInput,
  type ProvenanceStatement,
  provenanceStatement,
} from './provenance.js';
import { type ArtifactKind, type ArtifactRef, checkName, formatRef } from './refs.js';

export interface ArtifactRecord {
  id: number;
  name: string;
  version: number;
  kind: ArtifactKind;
  manifestDigest: string;
  provenanceDigest: string;
  createdAt: string;
}

export interface AddOptions {
  kind: ArtifactKind;
  /** A file or a folder. */
  path: string;
  name: string;
  /** The versions it was made from (a model's training data, a dataset's source). */
  from?: readonly ArtifactRef[];
  /** Follow symbolic links that stay inside the folder (default: refuse any). */
  allowSymlinks?: boolean;
}

export interface AddResult {
  status: 'added' | 'unchanged';
  name: string;
  version: number;
  manifestDigest: string;
  files: number;
  bytes: number;
}

export interface ArtifactSummary {
  name: string;
  kind: ArtifactKind;
  latest: number;
  versions: number;
}

export interface ArtifactDetails extends ArtifactRecord {
  files: ManifestFile[];
  inputs: string[];
  usedBy: string[];
  provenance: ProvenanceStatement;
}

export interface ImpactEntry {
  name: string;
  version: number;
  kind: ArtifactKind;
  /** 1 = made directly from the queried version. */
  depth: number;
  /** The versions it was made from. */
  inputs: string[];
}

interface ArtifactRow {
  id: number;
  name: string;
  version: number;
  kind: ArtifactKind;
  manifest_digest: string;
  provenance_digest: string;
  created_at: string;
}

/** Creates a registry: folders, database, signing key (mode 0600) and the first audit row. */
export function initRegistry(root: string): RegistryLayout {
  const layout = registryLayout(root);
  if (existsSync(layout.database)) throw new InputError('a registry already exists here', { file: root });
  mkdirSync(root, { recursive: true });
  mkdirSync(dirname(layout.keyPrefix), { recursive: true, mode: 0o700 });
  new BlobStore(layout.blobs).create();
  const pair = generateKeyPair('p256');
  writeKeyPair(layout.keyPrefix, pair);
  const db = openDatabase(layout.database, { create: true });
  try {
    const key = readPrivateKeyFile(layout.privateKey);
    writeTransaction(db, () =>
      appendAudit(db, key, 'init', root, { publicKeySha256: publicKeyFingerprint(createPublicKey(key)) }),
    );
  } finally {
    db.close();
  }
  return layout;
}

/** SHA-256 of the key's SubjectPublicKeyInfo (DER): names the key without showing it. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export class Registry {
  readonly layout: RegistryLayout;
  readonly db: Db;
  readonly blobs: BlobStore;

  private constructor(layout: RegistryLayout, db: Db) {
    this.layout = layout;
    this.db = db;
    this.blobs = new BlobStore(layout.blobs);
  }

  static open(root: string): Registry {
    const layout = registryLayout(root);
    if (!existsSync(layout.database)) {
      throw new InputError('no registry here; create one with `antidote registry init`', { file: root });
    }
    return new Registry(layout, openDatabase(layout.database));
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores the files first (content-addressed, so a crash leaves only unreferenced blobs), then records the
   * version, its provenance and the audit row in one transaction.
   */
  add(options: AddOptions): AddResult {
    const name = checkName(options.name);
    const key = readPrivateKeyFile(this.layout.privateKey);
    for (const ref of options.from ?? []) this.resolve(ref); // fail before copying anything
    const listing = listModelFiles(options.path, { allowSymlinks: options.allowSymlinks ?? false });
    if (listing.files.length === 0)
      throw new InputError('nothing to add: the folder has no files', { file: options.path });
    const files: ManifestFile[] = listing.files
      .map((file) => {
        const { digest, size } = this.blobs.putFile(file.path);
        return { path: file.name === '.' ? basename(options.path) : file.name, size, sha256: digest };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifestDigest = this.blobs.putBytes(
      Buffer.from(canonicalJson(manifestJson(files)), 'utf8'),
    ).digest;
    const bytes = files.reduce((sum, f) => sum + f.size, 0);

    return writeTransaction(this.db, () => {
      const latest = this.latest(name);
      if (latest !== undefined && latest.kind !== options.kind) {
        throw new InputError(`"${name}" is a ${latest.kind}, not a ${options.kind}`, { field: 'name' });
      }
      if (latest?.manifestDigest === manifestDigest) {
        return {
          status: 'unchanged',
          name,
          version: latest.version,
          manifestDigest,
          files: files.length,
          bytes,
        };
      }
      const version = (latest?.version ?? 0) + 1;
      const inputs = (options.from ?? []).map((ref) => this.resolve(ref));
      const createdAt = new Date().toISOString();
      const statement = provenanceStatement(
        { name, version, kind: options.kind, manifest: manifestDigest, createdAt },
        files,
        inputs.map(toInput),
      );
      const provenanceDigest = this.blobs.putBytes(
        Buffer.from(JSON.stringify(statement, null, 2), 'utf8'),
      ).digest;
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO artifacts (name, version, kind, manifest_digest, provenance_digest, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(name, version, options.kind, manifestDigest, provenanceDigest, createdAt).lastInsertRowid,
      );
      const insertFile = this.db.prepare(
        'INSERT INTO artifact_files (artifact_id, path, size, digest) VALUES (?, ?, ?, ?)',
      );
      for (const f of files) insertFile.run(id, f.path, f.size, f.sha256);
      const insertEdge = this.db.prepare(
        'INSERT OR IGNORE INTO provenance (child_id, parent_id) VALUES (?, ?)',
      );
      for (const input of inputs) insertEdge.run(id, input.id);
      appendAudit(this.db, key, 'add', formatRef(name, version), {
        kind: options.kind,
        manifest: manifestDigest,
        provenance: provenanceDigest,
        inputs: inputs.map((i) => formatRef(i.name, i.version)),
      });
      return { status: 'added', name, version, manifestDigest, files: files.length, bytes };
    });
  }

  /** The artifact a reference names (the latest version when it has none). */
  resolve(ref: ArtifactRef): ArtifactRecord {
    const row =
      ref.version === undefined
        ? this.latest(ref.name)
        : this.record(
            this.db
              .prepare('SELECT * FROM artifacts WHERE name = ? AND version = ?')
              .get(ref.name, ref.version),
          );
    if (row === undefined) {
      const known = this.latest(ref.name);
      throw new InputError(
        known === undefined
          ? `no artifact named "${ref.name}"`
          : `"${ref.name}" has no version ${ref.version} (the latest is ${known.version})`,
        { field: 'reference' },
      );
    }
    return row;
  }

  list(): ArtifactSummary[] {
    return this.db
      .prepare(
        'SELECT name, kind, MAX(version) AS latest, COUNT(*) AS versions FROM artifacts GROUP BY name ORDER BY name',
      )
      .all() as ArtifactSummary[];
  }

  versions(name: string): ArtifactRecord[] {
    return this.db
      .prepare('SELECT * FROM artifacts WHERE name = ? ORDER BY version')
      .all(name)
      .map((row) => this.record(row)!);
  }

  show(ref: ArtifactRef): ArtifactDetails {
    const record = this.resolve(ref);
    return {
      ...record,
      files: this.files(record.id),
      inputs: this.inputs(record.id),
      usedBy: this.refs(
        'SELECT a.name, a.version FROM provenance p JOIN artifacts a ON a.id = p.child_id WHERE p.parent_id = ? ORDER BY a.name, a.version',
        record.id,
      ),
      provenance: JSON.parse(
        this.blobs.read(record.provenanceDigest).toString('utf8'),
      ) as ProvenanceStatement,
    };
  }

  /** The versions an artifact was made from, as NAME@VERSION. */
  inputs(artifactId: number): string[] {
    return this.refs(
      'SELECT a.name, a.version FROM provenance p JOIN artifacts a ON a.id = p.parent_id WHERE p.child_id = ? ORDER BY a.name, a.version',
      artifactId,
    );
  }

  log(limit?: number): AuditEntry[] {
    return readAudit(this.db, limit);
  }

  /** Every version made from `ref`, directly or through other versions: the blast radius of a bad input. */
  impact(ref: ArtifactRef): ImpactEntry[] {
    const root = this.resolve(ref);
    const rows = this.db
      .prepare(
        `WITH RECURSIVE downstream (id, depth) AS (
           SELECT child_id, 1 FROM provenance WHERE parent_id = ?
           UNION
           SELECT p.child_id, d.depth + 1 FROM provenance p JOIN downstream d ON p.parent_id = d.id
         )
         SELECT a.*, MIN(d.depth) AS depth FROM downstream d JOIN artifacts a ON a.id = d.id
         GROUP BY a.id ORDER BY depth, a.name, a.version`,
      )
      .all(root.id) as (ArtifactRow & { depth: number })[];
    return rows.map((row) => ({
      name: row.name,
      version: row.version,
      kind: row.kind,
      depth: row.depth,
      inputs: this.inputs(row.id),
    }));
  }

  files(artifactId: number): ManifestFile[] {
    return this.db
      .prepare('SELECT path, size, digest AS sha256 FROM artifact_files WHERE artifact_id = ? ORDER BY path')
      .all(artifactId) as ManifestFile[];
  }

  allArtifacts(): ArtifactRecord[] {
    return this.db
      .prepare('SELECT * FROM artifacts ORDER BY id')
      .all()
      .map((row) => this.record(row)!);
  }

  private refs(sql: string, id: number): string[] {
    return (this.db.prepare(sql).all(id) as { name: string; version: number }[]).map((r) =>
      formatRef(r.name, r.version),
    );
  }

  private latest(name: string): ArtifactRecord | undefined {
    return this.record(
      this.db.prepare('SELECT * FROM artifacts WHERE name = ? ORDER BY version DESC LIMIT 1').get(name),
    );
  }

  private record(row: unknown): ArtifactRecord | undefined {
    if (row === undefined) return undefined;
    const r = row as ArtifactRow;
    return {
      id: r.id,
      name: r.name,
      version: r.version,
      kind: r.kind,
      manifestDigest: r.manifest_digest,
      provenanceDigest: r.provenance_digest,
      createdAt: r.created_at,
    };
  }
}

function toInput(record: ArtifactRecord): ProvenanceInput {
  return { name: record.name, version: record.version, kind: record.kind, manifest: record.manifestDigest };
}

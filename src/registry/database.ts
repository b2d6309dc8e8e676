/**
 * The registry's SQLite database. WAL mode lets readers run beside a writer; every write runs in a
 * BEGIN IMMEDIATE transaction, which takes the write lock up front (waiting up to `busy_timeout` for
 * another process), so concurrent writers queue instead of failing or interleaving.
 */
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';

export type Db = Database.Database;

/** How long a writer waits for another process's write to finish. */
const BUSY_TIMEOUT_MS = 30_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS artifacts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  kind TEXT NOT NULL CHECK (kind IN ('dataset', 'model')),
  manifest_digest TEXT NOT NULL,
  provenance_digest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (name, version)
);
CREATE TABLE IF NOT EXISTS artifact_files (
  artifact_id INTEGER NOT NULL REFERENCES artifacts (id),
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (artifact_id, path)
);
CREATE TABLE IF NOT EXISTS provenance (
  child_id INTEGER NOT NULL REFERENCES artifacts (id),
  parent_id INTEGER NOT NULL REFERENCES artifacts (id),
  PRIMARY KEY (child_id, parent_id)
);
CREATE INDEX IF NOT EXISTS provenance_parent ON provenance (parent_id);
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  envelope TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

/** Opens (and with `create`, creates) the database file. */
export function openDatabase(path: string, { create = false } = {}): Db {
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: !create, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new InputError(`cannot open the registry database: ${(error as Error).message}`, { file: path });
  }
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  if (create) db.transaction(() => db.exec(SCHEMA)).immediate();
  return db;
}

/** Runs `fn` in one BEGIN IMMEDIATE transaction: all of it is committed, or (on error or crash) none. */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * The append-only audit log. Each row holds its content and the hash of the row before it:
 * hash = SHA-256(prev_hash ‖ canonical JSON of {seq, at, actor, action, subject, details}), with prev_hash
 * the hex of the previous row's hash (64 zeros for the first row). Changing, removing or reordering any row
 * breaks every hash after it; the last hash (the head) is signed with the registry key in a DSSE envelope,
 * so the rows cannot be rewritten and re-hashed without the key, and truncating the log no longer matches
 * the signed head.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { signEnvelope, verifyEnvelopeSignature } from '../defenses/integrity/dsse.js';
import { canonicalJson, type Json } from './canonical-json.js';
import type { Db } from './database.js';

export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_HEAD_PAYLOAD_TYPE = 'application/vnd.antidote.audit-head+json';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: { [key: string]: Json };
  prevHash: string;
  hash: string;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export function entryHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const content = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/** Appends a row and re-signs the head; call inside a write transaction. */
export function appendAudit(
  db: Db,
  key: KeyObject,
  action: string,
  subject: string,
  details: { [key: string]: Json },
): AuditEntry {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const content = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor: actor(),
    action,
    subject,
    details,
  };
  const entry: AuditEntry = { ...content, prevHash, hash: entryHash(prevHash, content) };
  db.prepare(
    'INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(entry.seq, entry.at, entry.actor, action, subject, canonicalJson(details), prevHash, entry.hash);
  const payload = Buffer.from(headPayload(entry.seq, entry.hash), 'utf8');
  const envelope = signEnvelope(payload, AUDIT_HEAD_PAYLOAD_TYPE, key);
  db.prepare(
    'INSERT INTO audit_head (id, seq, hash, envelope) VALUES (1, ?, ?, ?) ' +
      'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, envelope = excluded.envelope',
  ).run(entry.seq, entry.hash, JSON.stringify(envelope));
  return entry;
}

function headPayload(seq: number, hash: string): string {
  return canonicalJson({ seq, hash });
}

function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `${user}@${hostname()}`;
}

/** Every row, oldest first; `limit` keeps the newest that many. */
export function readAudit(db: Db, limit?: number): AuditEntry[] {
  const rows = (
    limit === undefined
      ? db.prepare('SELECT * FROM audit_log ORDER BY seq').all()
      : db
          .prepare('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq')
          .all(limit)
  ) as AuditRow[];
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}

function parseDetails(text: string): { [key: string]: Json } {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { [key: string]: Json })
      : { value: text };
  } catch {
    return { unparseable: text };
  }
}

/**
 * Checks the chain and the signed head. Returns problems, the first failing row named first; the rows'
 * details are re-canonicalised from their stored text, so an edit that keeps valid JSON is caught by the hash.
 */
export function verifyAudit(db: Db, publicKey: KeyObject): string[] {
  const problems: string[] = [];
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
  let prevHash = GENESIS_HASH;
  for (const [i, row] of rows.entries()) {
    const where = `audit log row ${row.seq}`;
    if (row.seq !== i + 1) {
      problems.push(`${where}: expected row ${i + 1} here (rows were removed or renumbered)`);
      break;
    }
    if (row.prev_hash !== prevHash) {
      problems.push(`${where}: prev_hash does not match the hash of row ${i} (the chain is broken)`);
      break;
    }
    const stored = { ...row, details: parseDetails(row.details) };
    if (canonicalJson(stored.details) !== row.details || entryHash(prevHash, stored) !== row.hash) {
      problems.push(`${where}: its hash does not match its content (the row was modified)`);
      break;
    }
    prevHash = row.hash;
  }
  problems.push(...verifyHead(db, rows, publicKey));
  return problems;
}

function verifyHead(db: Db, rows: AuditRow[], publicKey: KeyObject): string[] {
  const head = db.prepare('SELECT seq, hash, envelope FROM audit_head WHERE id = 1').get() as
    | { seq: number; hash: string; envelope: string }
    | undefined;
  if (head === undefined)
    return rows.length === 0 ? [] : ['audit log head: missing (the signed head was removed)'];
  const last = rows.at(-1);
  const problems: string[] = [];
  if (last === undefined || last.seq !== head.seq) {
    problems.push(
      `audit log head: signed for row ${head.seq}, but the log ends at row ${last?.seq ?? 0} ` +
        '(rows were added without the key, or removed)',
    );
  } else if (last.hash !== head.hash) {
    problems.push(
      `audit log head: row ${head.seq} is not the row that was signed (it was rewritten and re-hashed)`,
    );
  }
  let valid = false;
  try {
    const envelope = JSON.parse(head.envelope) as {
      payload: string;
      payloadType: string;
      signatures: { sig: string }[];
    };
    const payload = Buffer.from(envelope.payload, 'base64');
    valid =
      envelope.payloadType === AUDIT_HEAD_PAYLOAD_TYPE &&
      payload.toString('utf8') === headPayload(head.seq, head.hash) &&
      envelope.signatures.length === 1 &&
      verifyEnvelopeSignature(
        payload,
        envelope.payloadType,
        Buffer.from(envelope.signatures[0].sig, 'base64'),
        publicKey,
      );
  } catch {
    valid = false;
  }
  if (!valid) problems.push('audit log head: the signature does not verify with the registry public key');
  return problems;
}

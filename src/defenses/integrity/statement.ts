/**
 * The signed payload: an in-toto Statement v1 with the OpenSSF model signing predicate v1.0
 * (sigstore/model-transparency, src/model_signing/_signing/signing.py, class `Payload`). The predicate lists
 * every resource with its digest and records how the model was serialised; the single subject is named
 * after the model and its digest is SHA-256 over the concatenated raw resource digests, in predicate order,
 * so that other documents can refer to the whole model by one digest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalizeRelativePath } from './ignore-paths.js';
import { schemaProblems } from './schema-problems.js';
import {
  type Manifest,
  type ResourceDescriptor,
  resourceAlgorithm,
  resourceKey,
  type Serialization,
} from './serialization.js';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const MODEL_SIGNING_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** The predicate type of model_signing v0.2, before the format was fixed at v1.0. */
const LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

export interface InTotoStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: [{ name: string; digest: { sha256: string } }];
  predicateType: typeof MODEL_SIGNING_PREDICATE_TYPE;
  predicate: {
    serialization: SerializationRecord;
    resources: ResourceDescriptor[];
  };
}

/** The predicate's `serialization` object, field for field as the reference writes it. */
export type SerializationRecord =
  | { method: 'files'; hash_type: 'sha256'; allow_symlinks: boolean; ignore_paths?: string[] }
  | { method: 'shards'; hash_type: 'sha256'; shard_size: number; allow_symlinks: boolean };

export function manifestToStatement(manifest: Manifest): InTotoStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: manifest.modelName, digest: { sha256: rootDigest(manifest.resources) } }],
    predicateType: MODEL_SIGNING_PREDICATE_TYPE,
    predicate: {
      serialization: serializationRecord(manifest.serialization),
      resources: manifest.resources.map(({ name, algorithm, digest }) => ({ name, algorithm, digest })),
    },
  };
}

/** SHA-256 over the raw bytes of every resource digest, in the order given. */
export function rootDigest(resources: readonly ResourceDescriptor[]): string {
  const hash = createHash('sha256');
  for (const resource of resources) hash.update(Buffer.from(resource.digest, 'hex'));
  return hash.digest('hex');
}

function serializationRecord(serialization: Serialization): SerializationRecord {
  if (serialization.method === 'shards') {
    return {
      method: 'shards',
      hash_type: serialization.hashType,
      shard_size: serialization.shardSize,
      allow_symlinks: serialization.allowSymlinks,
    };
  }
  // Like the reference, the list is only written when something was ignored.
  const ignorePaths = [...serialization.ignorePaths].sort();
  return {
    method: 'files',
    hash_type: serialization.hashType,
    allow_symlinks: serialization.allowSymlinks,
    ...(ignorePaths.length > 0 ? { ignore_paths: ignorePaths } : {}),
  };
}

const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 digest (64 hex digits)')
  .transform((hex) => hex.toLowerCase());
const onlySha256 = z.literal('sha256', { error: 'unsupported hash type: only "sha256" is supported' });

const statementSchema = z.object({
  subject: z
    .array(z.object({ name: z.string(), digest: z.object({ sha256: sha256Hex }) }))
    .length(1, 'expected exactly one subject'),
  predicate: z.object({
    serialization: z.discriminatedUnion(
      'method',
      [
        z.object({
          method: z.literal('files'),
          hash_type: onlySha256,
          allow_symlinks: z.boolean(),
          ignore_paths: z.array(z.string()).optional(),
        }),
        z.object({
          method: z.literal('shards'),
          hash_type: onlySha256,
          allow_symlinks: z.boolean(),
          shard_size: z.number().int().positive(),
        }),
      ],
      { error: 'unknown serialization method: expected "files" or "shards"' },
    ),
    resources: z.array(z.object({ name: z.string(), algorithm: z.string(), digest: sha256Hex })),
  }),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Reads a statement back into a manifest, checking everything a verifier relies on: the statement and
 * predicate types, the serialisation parameters, every resource's name and algorithm, no duplicates, and
 * that the subject digest matches the resources. Problems name the offending field.
 */
export function statementToManifest(statement: unknown): ParseResult<Manifest> {
  const typeProblem = statementTypeProblem(statement);
  if (typeProblem !== null) return { ok: false, problems: [typeProblem] };
  const parsed = statementSchema.safeParse(statement);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error, 'payload') };

  const { subject, predicate } = parsed.data;
  const { serialization, problems } = readSerialization(predicate.serialization);
  problems.push(...resourceProblems(predicate.resources, serialization));
  if (problems.length === 0 && rootDigest(predicate.resources) !== subject[0].digest.sha256) {
    problems.push('payload.subject[0].digest.sha256: does not match the digest of the listed resources');
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { modelName: subject[0].name, serialization, resources: predicate.resources } };
}

/** The statement and predicate types, checked first: with another type the rest means something else. */
function statementTypeProblem(statement: unknown): string | null {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
    return 'payload: expected a JSON object (an in-toto statement)';
  }
  const { _type, predicateType } = statement as Record<string, unknown>;
  if (_type !== IN_TOTO_STATEMENT_TYPE)
    return `payload._type: expected "${IN_TOTO_STATEMENT_TYPE}", got ${show(_type)}`;
  if (predicateType === MODEL_SIGNING_PREDICATE_TYPE) return null;
  const legacy =
    predicateType === LEGACY_PREDICATE_TYPE ? ' (model_signing v0.2 signatures are not supported)' : '';
  return `payload.predicateType: expected "${MODEL_SIGNING_PREDICATE_TYPE}", got ${show(predicateType)}${legacy}`;
}

function readSerialization(record: z.infer<typeof statementSchema>['predicate']['serialization']): {
  serialization: Serialization;
  problems: string[];
} {
  const allowSymlinks = record.allow_symlinks;
  if (record.method === 'shards') {
    return {
      serialization: { method: 'shards', hashType: 'sha256', allowSymlinks, shardSize: record.shard_size },
      problems: [],
    };
  }
  const problems: string[] = [];
  const ignorePaths: string[] = [];
  (record.ignore_paths ?? []).forEach((path, i) => {
    const normalized = normalizeRelativePath(path);
    if (normalized !== null) ignorePaths.push(normalized);
    else
      problems.push(
        `payload.predicate.serialization.ignore_paths[${i}]: not a path inside the model: ${show(path)}`,
      );
  });
  return { serialization: { method: 'files', hashType: 'sha256', allowSymlinks, ignorePaths }, problems };
}

function resourceProblems(resources: readonly ResourceDescriptor[], serialization: Serialization): string[] {
  const problems: string[] = [];
  const algorithm = resourceAlgorithm(serialization);
  const seen = new Set<string>();
  let singleFile = 0;
  resources.forEach((resource, i) => {
    const where = `payload.predicate.resources[${i}]`;
    if (resource.algorithm !== algorithm) {
      problems.push(`${where}.algorithm: expected "${algorithm}", got ${show(resource.algorithm)}`);
    }
    if (seen.has(resource.name)) problems.push(`${where}.name: ${show(resource.name)} is listed twice`);
    seen.add(resource.name);
    const key = resourceKey(resource.name, serialization.method);
    const path = key?.path;
    if (path === '.') singleFile++;
    else if (path === undefined || normalizeRelativePath(path) !== path) {
      problems.push(`${where}.name: not a path inside the model: ${show(resource.name)}`);
    }
    if (
      key !== null &&
      serialization.method === 'shards' &&
      (key.end < key.start || key.end - key.start > serialization.shardSize)
    ) {
      problems.push(
        `${where}.name: not a shard of at most ${serialization.shardSize} bytes: ${show(resource.name)}`,
      );
    }
  });
  if (singleFile > 0 && singleFile < resources.length) {
    problems.push('payload.predicate.resources: mixes a single-file model (".") with named files');
  }
  return problems;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

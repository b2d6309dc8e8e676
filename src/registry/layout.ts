/**
 * Where a registry lives: `--registry DIR`, else $ANTIDOTE_REGISTRY, else `.antidote/` in the working folder.
 *   registry.db            SQLite: artifacts, files, provenance edges, the audit log and its signed head
 *   blobs/sha256/<hex>     content-addressed file contents, manifests and provenance statements
 *   blobs/tmp/             blobs being written (left over only by a crash; never counted as blobs)
 *   keys/registry.pem      the key that signs the audit log's head (mode 0600), and registry.pub.pem
 */
import { join, resolve } from 'node:path';

export const DEFAULT_REGISTRY_DIR = '.antidote';

export interface RegistryLayout {
  root: string;
  database: string;
  blobs: string;
  keyPrefix: string;
  privateKey: string;
  publicKey: string;
}

export function registryDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.ANTIDOTE_REGISTRY ?? DEFAULT_REGISTRY_DIR);
}

export function registryLayout(root: string): RegistryLayout {
  const keyPrefix = join(root, 'keys', 'registry');
  return {
    root,
    database: join(root, 'registry.db'),
    blobs: join(root, 'blobs'),
    keyPrefix,
    privateKey: `${keyPrefix}.pem`,
    publicKey: `${keyPrefix}.pub.pem`,
  };
}

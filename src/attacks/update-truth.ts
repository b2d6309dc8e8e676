/**
 * Ground truth of attacks by malicious federated clients: which clients the attacker controls and the exact
 * update each of them sent instead of its honest one (float32, base64 of the little-endian bytes, so the
 * truth is compact, exact and JSON).
 */
import type { ClientUpdate } from '../defenses/federated/types.js';
import { InputError } from '../errors.js';
import type { DatasetTruth } from './dataset-truth.js';
import type { AttackResult, JsonValue } from './types.js';

/**
 * What an attack needs to see: nothing but its own update (or not even that), or statistics of honest
 * updates — all of them ('omniscient') or only the honest updates its own clients would have sent
 * ('partial', the realistic setting of Baruch et al. and Shejwalkar & Houmansadr).
 */
export type Knowledge = 'own-update' | 'none' | 'omniscient' | 'partial';

export interface UpdateTruth {
  format: 'antidote-attack-truth';
  version: 1;
  family: 'updates';
  /** 'sign-flip', 'scaling', 'gaussian-noise', 'alie', 'ipm', 'min-max', 'min-sum', 'data-driven'. */
  attack: string;
  seed: number;
  knowledge: Knowledge;
  /** Ids of the malicious clients, in the order of the update list. */
  malicious: string[];
  /** The update each malicious client sent (base64 float32 little-endian). */
  updates: { id: string; update: string }[];
  /** Data-driven attacks: how each malicious client's local data was poisoned before it trained. */
  localData?: Record<string, DatasetTruth>;
  params: Record<string, JsonValue>;
}

export type UpdateAttackResult = AttackResult<ClientUpdate[], UpdateTruth>;

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function encodeFloat32(values: Float32Array): string {
  if (LITTLE_ENDIAN_HOST)
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return Buffer.from(bytes).toString('base64');
}

export function decodeFloat32(base64: string, field = 'update'): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) throw new InputError(`${bytes.length} bytes is not a float32 array`, { field });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** The malicious clients' positions in `updates`; every id must be present exactly once. */
export function maliciousPositions(updates: readonly ClientUpdate[], malicious: readonly string[]): number[] {
  const position = new Map<string, number>();
  updates.forEach((u, i) => {
    if (position.has(u.id)) throw new InputError(`client id "${u.id}" appears twice`, { field: 'updates' });
    position.set(u.id, i);
  });
  const wanted = new Set<string>();
  for (const id of malicious) {
    if (!position.has(id))
      throw new InputError(`malicious client "${id}" has no update`, { field: 'malicious' });
    if (wanted.has(id))
      throw new InputError(`malicious client "${id}" is listed twice`, { field: 'malicious' });
    wanted.add(id);
  }
  return updates.flatMap((u, i) => (wanted.has(u.id) ? [i] : []));
}

/**
 * The result of replacing the malicious clients' updates: copies of the honest updates in the same order, the
 * crafted ones in their place, and the truth. `crafted` maps each malicious id to its new update.
 */
export function replaceUpdates(
  updates: readonly ClientUpdate[],
  crafted: ReadonlyMap<string, Float32Array>,
  header: Pick<UpdateTruth, 'attack' | 'seed' | 'knowledge' | 'params' | 'localData'>,
  info: UpdateAttackResult['info'] = {},
): UpdateAttackResult {
  const positions = maliciousPositions(updates, [...crafted.keys()]);
  const output = updates.map((u) => ({ ...u, update: (crafted.get(u.id) ?? u.update).slice() }));
  const malicious = positions.map((i) => updates[i].id);
  const truth: UpdateTruth = {
    format: 'antidote-attack-truth',
    version: 1,
    family: 'updates',
    attack: header.attack,
    seed: header.seed,
    knowledge: header.knowledge,
    params: header.params,
    malicious,
    updates: malicious.map((id) => ({ id, update: encodeFloat32(crafted.get(id)!) })),
    ...(header.localData === undefined ? {} : { localData: header.localData }),
  };
  return { output, poisoned: Uint32Array.from(positions), truth, info };
}

/** Replays an update attack's truth on the honest updates: each malicious client's update is replaced. */
export function applyUpdateTruth(clean: readonly ClientUpdate[], truth: UpdateTruth): ClientUpdate[] {
  const crafted = new Map<string, Float32Array>();
  for (const { id, update } of truth.updates) {
    const decoded = decodeFloat32(update, id);
    const honest = clean.find((u) => u.id === id);
    if (honest !== undefined && honest.update.length !== decoded.length) {
      throw new InputError(
        `the truth's update has ${decoded.length} values, the client's ${honest.update.length}`,
        {
          field: id,
        },
      );
    }
    crafted.set(id, decoded);
  }
  return replaceUpdates(clean, crafted, truth).output;
}

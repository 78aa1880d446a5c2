import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import * as store from '../db/store/credentials.ts';
import type { CredentialKind, CredentialRow } from '../db/store/credentials.ts';
import { newId } from './ids.ts';
import { hashSecret, randomSecret, sameHash } from './secrets.ts';

export type Credential = Omit<CredentialRow, 'secret_hash' | 'previous_secret_hash'>;

const KEY_PATTERN = /^sbk_([a-z][a-z0-9]{1,15})_([0-9a-f]{32})$/;

export function credentialKey(environment: string, random: string): string {
  return `sbk_${environment}_${random}`;
}

export function keyEnvironment(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export type IssueInput = {
  kind: CredentialKind; platform: string; teams: string[]; scopes: string[]; description?: string | undefined;
};

export async function issueCredential(db: Db, environment: string, input: IssueInput) {
  const secret = randomSecret('sbs');
  const row = await store.insertCredential(db, {
    id: newId('cred'),
    key: credentialKey(environment, randomBytes(16).toString('hex')),
    kind: input.kind,
    platform: input.platform,
    environment,
    teams: input.teams,
    scopes: input.scopes,
    description: input.description ?? null,
    secret_hash: hashSecret(secret),
  });
  return { credential: publicCredential(row), secret };
}

export async function rotateCredential(db: Db, clock: Clock, id: string, overlapMs: number) {
  const secret = randomSecret('sbs');
  const now = clock.now();
  const row = await store.rotateCredentialSecret(db, id, hashSecret(secret), now, new Date(now.getTime() + overlapMs));
  return row && { credential: publicCredential(row), secret };
}

export function publicCredential(row: CredentialRow): Credential {
  const { secret_hash: _s, previous_secret_hash: _p, ...rest } = row;
  return rest;
}

export type Verification =
  | { ok: true; credential: Credential }
  | { ok: false; reason: 'unknown' | 'wrong_environment' | 'revoked' | 'bad_secret' };

/**
 * Verifies key + secret. Rows are cached for a second so a hot consumer costs no extra
 * round trip per request; a revocation or rotation reaches every process within that second.
 */
export function createCredentialVerifier(db: Db, clock: Clock, environment: string, ttlMs = 1000) {
  const cache = new Map<string, { row: CredentialRow | undefined; at: number }>();

  async function lookup(key: string) {
    const hit = cache.get(key);
    const now = Date.now();
    if (hit && now - hit.at < ttlMs) return hit.row;
    const row = await store.findCredentialByKey(db, key);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { row, at: now });
    return row;
  }

  return async function verify(key: string, secret: string): Promise<Verification> {
    const env = keyEnvironment(key);
    if (!env) return { ok: false, reason: 'unknown' };
    if (env !== environment) return { ok: false, reason: 'wrong_environment' };
    const row = await lookup(key);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked_at && row.revoked_at <= clock.now()) return { ok: false, reason: 'revoked' };
    const hash = hashSecret(secret);
    const current = sameHash(hash, row.secret_hash);
    const previous = !current && row.previous_secret_hash !== null && row.previous_expires_at !== null
      && row.previous_expires_at > clock.now() && sameHash(hash, row.previous_secret_hash);
    if (!current && !previous) return { ok: false, reason: 'bad_secret' };
    return { ok: true, credential: publicCredential(row) };
  };
}

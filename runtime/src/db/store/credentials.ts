import type { Queryable } from '../pool.ts';

export type CredentialKind = 'producer' | 'consumer';
export type CredentialRow = {
  id: string; key: string; kind: CredentialKind; platform: string; environment: string;
  teams: string[]; scopes: string[]; description: string | null;
  secret_hash: string; previous_secret_hash: string | null; previous_expires_at: Date | null;
  created_at: Date; rotated_at: Date | null; revoked_at: Date | null;
};

export async function insertCredential(q: Queryable, c: Pick<CredentialRow, 'id' | 'key' | 'kind' | 'platform' | 'environment' | 'teams' | 'scopes' | 'description' | 'secret_hash'>) {
  const { rows } = await q.query<CredentialRow>(
    `INSERT INTO credentials (id, key, kind, platform, environment, teams, scopes, description, secret_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [c.id, c.key, c.kind, c.platform, c.environment, c.teams, c.scopes, c.description, c.secret_hash],
  );
  return rows[0]!;
}

export async function findCredentialByKey(q: Queryable, key: string) {
  const { rows } = await q.query<CredentialRow>(`SELECT * FROM credentials WHERE key = $1`, [key]);
  return rows[0];
}

/** `team` is required: a team admin lists only credentials touching its team; operators pass null for all. */
export async function listCredentials(q: Queryable, team: string | null) {
  const { rows } = await q.query<CredentialRow>(
    `SELECT * FROM credentials WHERE $1::text IS NULL OR $1 = ANY (teams) ORDER BY created_at, id`, [team]);
  return rows;
}

export async function getCredential(q: Queryable, id: string, team: string | null) {
  const { rows } = await q.query<CredentialRow>(
    `SELECT * FROM credentials WHERE id = $1 AND ($2::text IS NULL OR $2 = ANY (teams))`, [id, team]);
  return rows[0];
}

export async function rotateCredentialSecret(q: Queryable, id: string, secretHash: string, now: Date, previousExpiresAt: Date) {
  const { rows } = await q.query<CredentialRow>(
    `UPDATE credentials SET previous_secret_hash = secret_hash, previous_expires_at = $4, secret_hash = $2, rotated_at = $3
     WHERE id = $1 AND revoked_at IS NULL RETURNING *`,
    [id, secretHash, now, previousExpiresAt],
  );
  return rows[0];
}

export async function revokeCredential(q: Queryable, id: string, now: Date) {
  const { rows } = await q.query<CredentialRow>(
    `UPDATE credentials SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING *`, [id, now]);
  return rows[0];
}

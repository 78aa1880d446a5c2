import type { Queryable } from '../pool.ts';

export type OperatorRole = 'admin' | 'team_admin';
export type OperatorTokenRow = { id: string; role: OperatorRole; team: string | null; token_hash: string; description: string | null; created_at: Date; revoked_at: Date | null };

export async function insertOperatorToken(q: Queryable, t: Pick<OperatorTokenRow, 'id' | 'role' | 'team' | 'token_hash' | 'description'>) {
  const { rows } = await q.query<OperatorTokenRow>(
    `INSERT INTO operator_tokens (id, role, team, token_hash, description) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL RETURNING *`,
    [t.id, t.role, t.team, t.token_hash, t.description],
  );
  return rows[0]!;
}

export async function findOperatorToken(q: Queryable, tokenHash: string) {
  const { rows } = await q.query<OperatorTokenRow>(
    `SELECT * FROM operator_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
  return rows[0];
}

export async function countAdminTokens(q: Queryable) {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM operator_tokens WHERE role = 'admin' AND revoked_at IS NULL`);
  return rows[0]!.n;
}

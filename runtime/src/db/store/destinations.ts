import type { Queryable } from '../pool.ts';

/** Platforms that could be granted a team's flow: those with a live consumer credential for the team. */
export async function consumerPlatforms(q: Queryable, team: string) {
  const { rows } = await q.query<{ platform: string }>(
    `SELECT DISTINCT platform FROM credentials WHERE kind = 'consumer' AND $1 = ANY (teams) AND revoked_at IS NULL ORDER BY platform`, [team]);
  return rows.map((r) => r.platform);
}

export async function getSessionData(q: Queryable, team: string, id: string) {
  const { rows } = await q.query<{ data: unknown; flow: string; purged_at: Date | null }>(
    `SELECT data, flow, purged_at FROM sessions WHERE team = $1 AND id = $2`, [team, id]);
  return rows[0];
}

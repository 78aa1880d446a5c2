import type { Queryable } from '../pool.ts';

export type TeamRow = { slug: string; name: string; variables: Record<string, string>; created_at: Date; updated_at: Date };
export type FlowRow = { team: string; slug: string; name: string; created_at: Date };

export async function insertTeam(q: Queryable, team: { slug: string; name: string; variables: Record<string, string> }) {
  const { rows } = await q.query<TeamRow>(
    `INSERT INTO teams (slug, name, variables) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING RETURNING *`,
    [team.slug, team.name, team.variables],
  );
  return rows[0];
}

export async function getTeam(q: Queryable, slug: string) {
  const { rows } = await q.query<TeamRow>(`SELECT * FROM teams WHERE slug = $1`, [slug]);
  return rows[0];
}

export async function listTeams(q: Queryable, only?: string) {
  const { rows } = await q.query<TeamRow>(
    `SELECT * FROM teams WHERE $1::text IS NULL OR slug = $1 ORDER BY slug`, [only ?? null]);
  return rows;
}

export async function updateTeam(q: Queryable, slug: string, patch: { name?: string; variables?: Record<string, string> }) {
  const { rows } = await q.query<TeamRow>(
    `UPDATE teams SET name = coalesce($2, name), variables = coalesce($3, variables), updated_at = now()
     WHERE slug = $1 RETURNING *`,
    [slug, patch.name ?? null, patch.variables ?? null],
  );
  return rows[0];
}

export async function insertFlow(q: Queryable, flow: { team: string; slug: string; name: string }) {
  const { rows } = await q.query<FlowRow>(
    `INSERT INTO flows (team, slug, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`,
    [flow.team, flow.slug, flow.name],
  );
  return rows[0];
}

export async function getFlow(q: Queryable, team: string, slug: string) {
  const { rows } = await q.query<FlowRow>(`SELECT * FROM flows WHERE team = $1 AND slug = $2`, [team, slug]);
  return rows[0];
}

export async function listFlows(q: Queryable, team: string) {
  const { rows } = await q.query<FlowRow>(`SELECT * FROM flows WHERE team = $1 ORDER BY slug`, [team]);
  return rows;
}

import type { Queryable } from '../pool.ts';

export type DestinationKind = 'platform' | 'webhook' | 'connector';
export type GrantRow = { team: string; flow: string; destination_kind: DestinationKind; destination: string; granted_by: string; created_at: Date };

export async function insertGrant(q: Queryable, g: Omit<GrantRow, 'created_at'>) {
  const { rows } = await q.query<GrantRow>(
    `INSERT INTO grants (team, flow, destination_kind, destination, granted_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (team, flow, destination_kind, destination) DO UPDATE SET team = EXCLUDED.team
     RETURNING *`,
    [g.team, g.flow, g.destination_kind, g.destination, g.granted_by],
  );
  return rows[0]!;
}

export async function deleteGrant(q: Queryable, g: { team: string; flow: string; destination_kind: DestinationKind; destination: string }) {
  const { rowCount } = await q.query(
    `DELETE FROM grants WHERE team = $1 AND flow = $2 AND destination_kind = $3 AND destination = $4`,
    [g.team, g.flow, g.destination_kind, g.destination],
  );
  return (rowCount ?? 0) > 0;
}

export async function listGrants(q: Queryable, team: string, flow: string) {
  const { rows } = await q.query<GrantRow>(
    `SELECT * FROM grants WHERE team = $1 AND flow = $2 ORDER BY destination_kind, destination`, [team, flow]);
  return rows;
}

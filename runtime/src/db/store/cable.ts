import type { Queryable } from '../pool.ts';
import type { FeedEvent } from './event-feed.ts';

export type Position = { tx: string; seq: number };

export async function insertTicket(q: Queryable, t: { hash: string; credentialId: string; expiresAt: Date }) {
  await q.query(`INSERT INTO cable_tickets (ticket_hash, credential_id, expires_at) VALUES ($1, $2, $3)`, [t.hash, t.credentialId, t.expiresAt]);
}

/** Spends a ticket: returns its credential once, while unexpired; never again. */
export async function useTicket(q: Queryable, hash: string, now: Date) {
  const { rows } = await q.query<{ credential_id: string }>(
    `UPDATE cable_tickets SET used_at = $2 WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING credential_id`,
    [hash, now]);
  return rows[0]?.credential_id;
}

export async function eventPosition(q: Queryable, team: string, eventId: string) {
  const { rows } = await q.query<Position>(`SELECT tx::text AS tx, seq FROM events WHERE id = $1 AND team = $2`, [eventId, team]);
  return rows[0];
}

/** The feed's current end, as far as it can be read without skipping a running transaction. */
export async function feedHorizon(q: Queryable): Promise<Position> {
  const { rows } = await q.query<Position>(
    `SELECT coalesce(max(tx)::text, '0') AS tx, coalesce(max(seq), 0) AS seq FROM (
       SELECT tx, seq FROM events WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx DESC, seq DESC LIMIT 1) e`);
  return rows[0]!;
}

/** A team's stored events in feed order: after a position or a time, up to (and including) `until`. */
export async function replayEvents(q: Queryable, f: { team: string; after?: Position; since?: Date; until: Position; limit: number }) {
  const { rows } = await q.query<FeedEvent>(
    `SELECT seq, id, type, team, flow, session_id, payload, created_at, tx::text AS tx FROM events
     WHERE team = $1
       AND ($2::xid8 IS NULL OR (tx, seq) > ($2::xid8, $3::bigint))
       AND ($4::timestamptz IS NULL OR created_at > $4)
       AND (tx, seq) <= ($5::xid8, $6::bigint)
     ORDER BY tx, seq LIMIT $7`,
    [f.team, f.after?.tx ?? null, f.after?.seq ?? null, f.since ?? null, f.until.tx, f.until.seq, f.limit]);
  return rows;
}

export async function getAckPosition(q: Queryable, credentialId: string, name: string) {
  const { rows } = await q.query<Position>(`SELECT tx::text AS tx, seq FROM cable_positions WHERE credential_id = $1 AND name = $2`, [credentialId, name]);
  return rows[0];
}

/** Where an acknowledged subscription starts: unacknowledged events after it are redelivered. */
export async function startAckPosition(q: Queryable, a: { credentialId: string; name: string; at: Position }) {
  await q.query(
    `INSERT INTO cable_positions (credential_id, name, tx, seq) VALUES ($1, $2, $3::xid8, $4) ON CONFLICT DO NOTHING`,
    [a.credentialId, a.name, a.at.tx, a.at.seq]);
}

/** Acknowledgement is cumulative and only moves forward. */
export async function saveAckPosition(q: Queryable, a: { credentialId: string; name: string; team: string; eventId: string }) {
  const { rowCount } = await q.query(
    `INSERT INTO cable_positions (credential_id, name, tx, seq, event_id)
     SELECT $1, $2, e.tx, e.seq, e.id FROM events e WHERE e.id = $3 AND e.team = $4
     ON CONFLICT (credential_id, name) DO UPDATE SET tx = EXCLUDED.tx, seq = EXCLUDED.seq, event_id = EXCLUDED.event_id, updated_at = now()
       WHERE (cable_positions.tx, cable_positions.seq) < (EXCLUDED.tx, EXCLUDED.seq)`,
    [a.credentialId, a.name, a.eventId, a.team]);
  return (rowCount ?? 0) > 0;
}

/** Platform grants of the given teams, for the sockets one process holds. */
export async function platformGrants(q: Queryable, teams: string[]) {
  const { rows } = await q.query<{ team: string; flow: string; destination: string }>(
    `SELECT team, flow, destination FROM grants WHERE destination_kind = 'platform' AND team = ANY ($1)`, [teams]);
  return rows;
}

export async function revokedCredentials(q: Queryable, ids: string[], now: Date) {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM credentials WHERE id = ANY ($1) AND revoked_at IS NOT NULL AND revoked_at <= $2`, [ids, now]);
  return rows.map((r) => r.id);
}

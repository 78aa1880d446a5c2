import type { Queryable } from '../pool.ts';

export type FeedEvent = {
  seq: number; id: string; type: string; team: string; flow: string | null; session_id: string | null;
  payload: Record<string, unknown>; created_at: Date; tx: string;
};

export async function ensureCursor(q: Queryable, consumer: string, fromNow: boolean) {
  // A new consumer starts at the current end of the feed when asked to, so enabling a
  // feature later does not replay history into it.
  await q.query(
    `INSERT INTO event_cursors (consumer, tx, seq)
     SELECT $1, coalesce(max(tx), '0'), coalesce(max(seq), 0) FROM events WHERE $2
     UNION ALL SELECT $1, '0', 0 WHERE NOT $2
     ON CONFLICT (consumer) DO NOTHING`,
    [consumer, fromNow],
  );
}

/** Locks the cursor row; undefined when another process holds it (it is doing the work). */
export async function lockCursor(q: Queryable, consumer: string) {
  const { rows } = await q.query<{ tx: string; seq: number }>(
    `SELECT tx::text AS tx, seq FROM event_cursors WHERE consumer = $1 FOR UPDATE SKIP LOCKED`, [consumer]);
  return rows[0];
}

export async function readEventsAfter(q: Queryable, after: { tx: string; seq: number }, limit: number) {
  const { rows } = await q.query<FeedEvent>(
    `SELECT seq, id, type, team, flow, session_id, payload, created_at, tx::text AS tx FROM events
     WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY tx, seq LIMIT $3`,
    [after.tx, after.seq, limit],
  );
  return rows;
}

export async function advanceCursor(q: Queryable, consumer: string, to: { tx: string; seq: number }) {
  await q.query(`UPDATE event_cursors SET tx = $2::xid8, seq = $3, updated_at = now() WHERE consumer = $1`, [consumer, to.tx, to.seq]);
}

import type { Queryable } from '../pool.ts';

export type SessionMeta = {
  id: string; team: string; flow: string; payment_id: string | null; producer: string;
  submitted_at: Date; first_retrieved_at: Date | null; purge_after: Date; purged_at: Date | null;
};

export type NewSession = {
  id: string; team: string; flow: string; paymentId: string | null; data: unknown; files: unknown;
  producer: string; submittedAt: Date; purgeAfter: Date; eventId: string; eventPayload: unknown;
};

/**
 * Stores the session and its `session.submitted` event in one statement (one transaction,
 * one round trip). Registers the flow on first sight. Returns undefined when the id exists.
 */
export async function insertSessionWithEvent(q: Queryable, s: NewSession) {
  const { rows } = await q.query<SessionMeta & { event_id: string }>(
    `WITH flow AS (
       INSERT INTO flows (team, slug, name) VALUES ($2, $3, $3) ON CONFLICT DO NOTHING
     ), session AS (
       INSERT INTO sessions (id, team, flow, payment_id, data, files, producer, submitted_at, purge_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, team, flow, payment_id, producer, submitted_at, first_retrieved_at, purge_after, purged_at
     ), event AS (
       INSERT INTO events (id, type, team, flow, session_id, payload, created_at)
       SELECT $10, 'session.submitted', team, flow, id, $11, submitted_at FROM session
       RETURNING id
     )
     SELECT session.*, event.id AS event_id FROM session, event`,
    [s.id, s.team, s.flow, s.paymentId, JSON.stringify(s.data), JSON.stringify(s.files), s.producer,
      s.submittedAt, s.purgeAfter, s.eventId, JSON.stringify(s.eventPayload)],
  );
  return rows[0];
}

/** The existing session for an idempotent re-submission, with the event it raised. */
export async function getSubmittedSession(q: Queryable, id: string) {
  const { rows } = await q.query<SessionMeta & { event_id: string | null }>(
    `SELECT s.id, s.team, s.flow, s.payment_id, s.producer, s.submitted_at, s.first_retrieved_at, s.purge_after, s.purged_at,
            (SELECT e.id FROM events e WHERE e.session_id = s.id AND e.type = 'session.submitted' ORDER BY seq LIMIT 1) AS event_id
     FROM sessions s WHERE s.id = $1`,
    [id],
  );
  return rows[0];
}

/**
 * One round trip for a pull: the session scoped to the caller's teams, whether the platform
 * holds a grant for its flow, and the data as JSON text (spliced into the response unparsed).
 */
export async function getSessionForPlatform(q: Queryable, id: string, teams: string[], platform: string) {
  const { rows } = await q.query<SessionMeta & { granted: boolean; data: string | null; files: string | null }>(
    `SELECT s.id, s.team, s.flow, s.payment_id, s.producer, s.submitted_at, s.first_retrieved_at, s.purge_after, s.purged_at,
            s.data::text AS data, s.files::text AS files,
            EXISTS (SELECT 1 FROM grants g WHERE g.team = s.team AND g.flow = s.flow
                    AND g.destination_kind = 'platform' AND g.destination = $3) AS granted
     FROM sessions s WHERE s.id = $1 AND s.team = ANY ($2)`,
    [id, teams, platform],
  );
  return rows[0];
}

/** First successful retrieval shortens retention; later pulls change nothing. */
export async function markRetrieved(q: Queryable, id: string, team: string, now: Date, purgeBy: Date) {
  await q.query(
    `UPDATE sessions SET first_retrieved_at = $3, purge_after = least(purge_after, $4)
     WHERE id = $1 AND team = $2 AND first_retrieved_at IS NULL`,
    [id, team, now, purgeBy],
  );
}

export type ListFilter = { team: string; platform: string; flow?: string; since?: Date; after?: { at: Date; id: string }; limit: number };

/** Sessions of granted flows only, oldest first, keyset-paged on (submitted_at, id). */
export async function listSessionsForPlatform(q: Queryable, f: ListFilter) {
  const { rows } = await q.query<SessionMeta>(
    `SELECT s.id, s.team, s.flow, s.payment_id, s.producer, s.submitted_at, s.first_retrieved_at, s.purge_after, s.purged_at
     FROM sessions s
     JOIN grants g ON g.team = s.team AND g.flow = s.flow AND g.destination_kind = 'platform' AND g.destination = $2
     WHERE s.team = $1
       AND ($3::text IS NULL OR s.flow = $3)
       AND ($4::timestamptz IS NULL OR s.submitted_at >= $4)
       AND ($5::timestamptz IS NULL OR (s.submitted_at, s.id) > ($5, $6::text))
     ORDER BY s.submitted_at, s.id
     LIMIT $7`,
    [f.team, f.platform, f.flow ?? null, f.since ?? null, f.after?.at ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}

/**
 * Purges one batch of due sessions, leaving tombstones. SKIP LOCKED lets several workers
 * share the work; each batch commits on its own, so a crash mid-way loses nothing.
 */
export async function purgeDueSessions(q: Queryable, now: Date, batch: number) {
  const { rows } = await q.query<{ id: string }>(
    `WITH due AS (
       SELECT id FROM sessions WHERE purged_at IS NULL AND purge_after <= $1
       ORDER BY purge_after LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE sessions s SET data = NULL, files = NULL, purged_at = $1 FROM due WHERE s.id = due.id
     RETURNING s.id`,
    [now, batch],
  );
  return rows.map((r) => r.id);
}

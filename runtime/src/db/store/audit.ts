import type { Queryable } from '../pool.ts';

export type AuditEntry = {
  at: Date; requestId: string; actorKind: string; actorId: string | null; platform: string | null;
  team: string | null; method: string; route: string; path: string; sessionId: string | null;
  status: number; code: string | null; clientAddress: string | null;
};

export type AuditRow = {
  id: number; at: Date; request_id: string; actor_kind: string; actor_id: string | null; platform: string | null;
  team: string | null; method: string; route: string; path: string; session_id: string | null;
  status: number; code: string | null; client_address: string | null;
};

const columns = ['at', 'request_id', 'actor_kind', 'actor_id', 'platform', 'team', 'method', 'route', 'path', 'session_id', 'status', 'code', 'client_address'] as const;
const types = ['timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'text', 'text'];

/** Many rows in one statement: the audit log group-commits concurrent requests. */
export async function insertAuditEntries(q: Queryable, entries: AuditEntry[]) {
  const values = [
    entries.map((e) => e.at), entries.map((e) => e.requestId), entries.map((e) => e.actorKind),
    entries.map((e) => e.actorId), entries.map((e) => e.platform), entries.map((e) => e.team),
    entries.map((e) => e.method), entries.map((e) => e.route), entries.map((e) => e.path),
    entries.map((e) => e.sessionId), entries.map((e) => e.status), entries.map((e) => e.code),
    entries.map((e) => e.clientAddress),
  ];
  await q.query(
    `INSERT INTO audit_log (${columns.join(', ')})
     SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
    values,
  );
}

export type AuditFilter = {
  team: string | null; actorId?: string; sessionId?: string; status?: number;
  from?: Date; to?: Date; before?: number; limit: number;
};

/** Newest first, keyset-paged on id. `team` null means every team (operators only). */
export async function listAudit(q: Queryable, f: AuditFilter) {
  const { rows } = await q.query<AuditRow>(
    `SELECT * FROM audit_log
     WHERE ($1::text IS NULL OR team = $1)
       AND ($2::text IS NULL OR actor_id = $2)
       AND ($3::text IS NULL OR session_id = $3)
       AND ($4::int IS NULL OR status = $4)
       AND ($5::timestamptz IS NULL OR at >= $5)
       AND ($6::timestamptz IS NULL OR at < $6)
       AND ($7::bigint IS NULL OR id < $7)
     ORDER BY id DESC LIMIT $8`,
    [f.team, f.actorId ?? null, f.sessionId ?? null, f.status ?? null, f.from ?? null, f.to ?? null, f.before ?? null, f.limit],
  );
  return rows;
}

export async function purgeAuditBefore(q: Queryable, before: Date, batch: number) {
  const { rowCount } = await q.query(
    `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY id LIMIT $2)`, [before, batch]);
  return rowCount ?? 0;
}

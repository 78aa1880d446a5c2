import type { Queryable } from '../pool.ts';
import type { SessionMeta } from './sessions.ts';

export type FileRow = {
  id: string; team: string; session_id: string; name: string; content_type: string; size: number;
  sha256: string; storage_key: string; source: 'upload' | 'reference'; created_at: Date; deleted_at: Date | null;
};

const sessionColumns = 's.id, s.team, s.flow, s.payment_id, s.producer, s.submitted_at, s.first_retrieved_at, s.purge_after, s.purged_at';

/** The session as a producer of one of `teams` sees it (to attach files). */
export async function getSessionOfTeams(q: Queryable, id: string, teams: string[]) {
  const { rows } = await q.query<SessionMeta>(`SELECT ${sessionColumns} FROM sessions s WHERE s.id = $1 AND s.team = ANY ($2)`, [id, teams]);
  return rows[0];
}

/** The session as a consumer sees it: scoped to its teams, with whether its platform holds a grant. */
export async function getSessionGrant(q: Queryable, id: string, teams: string[], platform: string) {
  const { rows } = await q.query<SessionMeta & { granted: boolean }>(
    `SELECT ${sessionColumns},
            EXISTS (SELECT 1 FROM grants g WHERE g.team = s.team AND g.flow = s.flow
                    AND g.destination_kind = 'platform' AND g.destination = $3) AS granted
     FROM sessions s WHERE s.id = $1 AND s.team = ANY ($2)`,
    [id, teams, platform],
  );
  return rows[0];
}

export async function insertFile(q: Queryable, f: Omit<FileRow, 'deleted_at'>) {
  const { rows } = await q.query<FileRow>(
    `INSERT INTO files (id, team, session_id, name, content_type, size, sha256, storage_key, source, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [f.id, f.team, f.session_id, f.name, f.content_type, f.size, f.sha256, f.storage_key, f.source, f.created_at],
  );
  return rows[0]!;
}

/** The same bytes under the same name already attached: a retried upload returns it. */
export async function findSameFile(q: Queryable, team: string, sessionId: string, name: string, sha256: string) {
  const { rows } = await q.query<FileRow>(
    `SELECT * FROM files WHERE team = $1 AND session_id = $2 AND name = $3 AND sha256 = $4 AND deleted_at IS NULL
     ORDER BY created_at LIMIT 1`,
    [team, sessionId, name, sha256],
  );
  return rows[0];
}

export async function listSessionFiles(q: Queryable, team: string, sessionId: string) {
  const { rows } = await q.query<FileRow>(
    `SELECT * FROM files WHERE team = $1 AND session_id = $2 AND deleted_at IS NULL ORDER BY created_at, id`,
    [team, sessionId],
  );
  return rows;
}

export async function getSessionFile(q: Queryable, team: string, sessionId: string, fileId: string) {
  const { rows } = await q.query<FileRow>(
    `SELECT * FROM files WHERE team = $1 AND session_id = $2 AND id = $3`,
    [team, sessionId, fileId],
  );
  return rows[0];
}

/** Files whose session has been purged but whose bytes are not yet deleted: the purge's to-do list. */
export async function filesAwaitingDeletion(q: Queryable, batch: number) {
  const { rows } = await q.query<Pick<FileRow, 'id' | 'team' | 'storage_key'>>(
    `SELECT f.id, f.team, f.storage_key FROM files f JOIN sessions s ON s.id = f.session_id
     WHERE f.deleted_at IS NULL AND s.purged_at IS NOT NULL
     ORDER BY f.id LIMIT $1`,
    [batch],
  );
  return rows;
}

export async function markFilesDeleted(q: Queryable, ids: string[], at: Date) {
  const { rowCount } = await q.query(`UPDATE files SET deleted_at = $2 WHERE id = ANY ($1) AND deleted_at IS NULL`, [ids, at]);
  return rowCount ?? 0;
}

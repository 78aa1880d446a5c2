import type { Db } from '../db/pool.ts';
import * as store from '../db/store/files.ts';
import type { FileRow } from '../db/store/files.ts';
import type { SessionMeta } from '../db/store/sessions.ts';

export type SessionFilesAccess =
  | { outcome: 'not_found' }
  | { outcome: 'not_granted'; team: string; flow: string }
  | { outcome: 'expired'; session: SessionMeta }
  | { outcome: 'ok'; session: SessionMeta };

/**
 * The same rules as pulling the session (`pullSession`): another team's session is not found,
 * a flow without a grant for the platform is refused, a purged session is gone.
 */
export async function sessionForConsumer(db: Db, who: { teams: string[]; platform: string }, id: string): Promise<SessionFilesAccess> {
  const row = await store.getSessionGrant(db, id, who.teams, who.platform);
  if (!row) return { outcome: 'not_found' };
  const { granted, ...session } = row;
  if (!granted) return { outcome: 'not_granted', team: session.team, flow: session.flow };
  if (session.purged_at) return { outcome: 'expired', session };
  return { outcome: 'ok', session };
}

export type FileLookup = { outcome: 'not_found' } | { outcome: 'deleted'; file: FileRow } | { outcome: 'ok'; file: FileRow };

export async function findSessionFile(db: Db, session: SessionMeta, fileId: string): Promise<FileLookup> {
  const file = await store.getSessionFile(db, session.team, session.id, fileId);
  if (!file) return { outcome: 'not_found' };
  if (file.deleted_at || session.purged_at) return { outcome: 'deleted', file };
  return { outcome: 'ok', file };
}

export async function listFilesOfSession(db: Db, session: SessionMeta) {
  return store.listSessionFiles(db, session.team, session.id);
}

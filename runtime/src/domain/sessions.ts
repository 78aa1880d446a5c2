import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import * as store from '../db/store/sessions.ts';
import type { SessionMeta } from '../db/store/sessions.ts';
import { wakeEventFeeds } from '../events/wake.ts';
import { newId } from './ids.ts';

export type Retention = { afterSubmissionMs: number; afterRetrievalMs: number };

export type SessionInput = {
  id: string; team: string; flow: string; paymentId?: string | undefined;
  data: Record<string, unknown>; files?: unknown[] | undefined;
};

/** The light notification every delivery channel sends: never personal data. */
export function sessionEvent(s: { id: string; team: string; flow: string; paymentId: string | null }) {
  return { id: s.id, team: s.team, flow: s.flow, paymentID: s.paymentId };
}

export type IngestResult =
  | { outcome: 'created' | 'duplicate'; session: SessionMeta; eventId: string | null }
  | { outcome: 'conflict' };

/**
 * Idempotent on the producer's session id: the same id again returns the first result,
 * never a second session or event, also when two submissions race.
 */
export async function ingestSession(db: Db, clock: Clock, retention: Retention, producer: string, input: SessionInput): Promise<IngestResult> {
  const now = clock.now();
  const inserted = await store.insertSessionWithEvent(db, {
    id: input.id, team: input.team, flow: input.flow, paymentId: input.paymentId ?? null,
    data: input.data, files: input.files ?? [], producer, submittedAt: now,
    purgeAfter: new Date(now.getTime() + retention.afterSubmissionMs),
    eventId: newId('evt'),
    eventPayload: sessionEvent({ id: input.id, team: input.team, flow: input.flow, paymentId: input.paymentId ?? null }),
  });
  if (inserted) {
    wakeEventFeeds(db);
    const { event_id, ...session } = inserted;
    return { outcome: 'created', session, eventId: event_id };
  }
  const existing = await store.getSubmittedSession(db, input.id);
  if (!existing || existing.team !== input.team || existing.flow !== input.flow) return { outcome: 'conflict' };
  const { event_id, ...session } = existing;
  return { outcome: 'duplicate', session, eventId: event_id };
}

export type PullResult =
  | { outcome: 'not_found' }
  | { outcome: 'not_granted'; team: string; flow: string }
  | { outcome: 'expired'; session: SessionMeta }
  | { outcome: 'ok'; session: SessionMeta; dataJson: string; filesJson: string };

/**
 * A consumer pull: scoped to the credential's teams (another team's session is simply not
 * found), refused without a grant, gone after purge. The first success shortens retention.
 */
export async function pullSession(db: Db, clock: Clock, retention: Retention, who: { teams: string[]; platform: string }, id: string): Promise<PullResult> {
  const row = await store.getSessionForPlatform(db, id, who.teams, who.platform);
  if (!row) return { outcome: 'not_found' };
  const { granted, data, files, ...session } = row;
  if (!granted) return { outcome: 'not_granted', team: session.team, flow: session.flow };
  if (session.purged_at || data === null) return { outcome: 'expired', session };
  await recordRetrieval(db, clock, retention, session);
  return { outcome: 'ok', session, dataJson: data, filesJson: files ?? '[]' };
}

/** The first successful retrieval (of the data or of a file) shortens retention; updates `session` in place. */
export async function recordRetrieval(db: Db, clock: Clock, retention: Retention, session: SessionMeta): Promise<void> {
  if (session.first_retrieved_at) return;
  const now = clock.now();
  const purgeBy = new Date(Math.min(session.purge_after.getTime(), now.getTime() + retention.afterRetrievalMs));
  await store.markRetrieved(db, session.id, session.team, now, purgeBy);
  session.first_retrieved_at = now;
  session.purge_after = purgeBy;
}

export type Cursor = { at: Date; id: string };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
    return { at: new Date(at), id };
  } catch {
    return undefined;
  }
}

export async function listSessions(db: Db, who: { team: string; platform: string }, filter: { flow?: string | undefined; since?: Date | undefined; after?: Cursor | undefined; limit: number }) {
  const rows = await store.listSessionsForPlatform(db, { ...who, ...filter, limit: filter.limit + 1 } as store.ListFilter);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { sessions: page, next: rows.length > filter.limit && last ? encodeCursor({ at: last.submitted_at, id: last.id }) : null };
}

import type { Db, Queryable } from '../db/pool.ts';
import { advanceCursor, ensureCursor, lockCursor, readEventsAfter, type FeedEvent } from '../db/store/event-feed.ts';
import type { Logger } from '../log.ts';
import type { Notifier } from './notifier.ts';
import { startWakeableLoop, type WakeableLoop } from './wakeable-loop.ts';

/** The channel the events table's trigger notifies on commit. */
export const EVENTS_CHANNEL = 'switchboard_events';

export type { FeedEvent };

export type FeedOptions = {
  db: Db;
  log: Logger;
  /** The cursor's name: one per kind of consumer (e.g. `webhooks`), shared by all processes. */
  name: string;
  /**
   * Called with each batch inside the transaction that advances the cursor: whatever it
   * writes (delivery rows, jobs) commits atomically with the cursor, so each event is fanned
   * out exactly once even across crashes and several worker processes.
   */
  handle: (q: Queryable, events: FeedEvent[]) => Promise<void>;
  notifier?: Notifier;
  batchSize?: number;
  /** Fallback poll; wake-ups normally come by NOTIFY. */
  pollMs?: number;
  /** Start a new cursor at the end of the feed instead of its beginning. */
  fromNow?: boolean;
};

/**
 * Processes one batch; returns how many events it handled (0 if another process holds the cursor).
 * The snapshot horizon is cluster-wide: a long transaction anywhere on the PostgreSQL cluster
 * delays (never loses) events, so keep Switchboard's cluster free of long-running transactions.
 */
export async function runFeedOnce(o: Pick<FeedOptions, 'db' | 'name' | 'handle' | 'batchSize'>): Promise<number> {
  return o.db.tx(async (q) => {
    const cursor = await lockCursor(q, o.name);
    if (!cursor) return 0;
    const events = await readEventsAfter(q, cursor, o.batchSize ?? 500);
    if (events.length === 0) return 0;
    await o.handle(q, events);
    const last = events.at(-1)!;
    await advanceCursor(q, o.name, { tx: last.tx, seq: last.seq });
    return events.length;
  });
}

/** Runs a feed until stopped: woken by NOTIFY, polling as a floor, retrying after errors. */
export async function startFeed(o: FeedOptions): Promise<WakeableLoop> {
  await ensureCursor(o.db, o.name, o.fromNow ?? false);
  const full = o.batchSize ?? 500;
  return startWakeableLoop({
    step: () => runFeedOnce(o), full, pollMs: o.pollMs ?? 1000, log: o.log, name: `feed:${o.name}`,
    ...(o.notifier ? { notifier: o.notifier, channel: EVENTS_CHANNEL } : {}),
  });
}

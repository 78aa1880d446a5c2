import type { Db } from '../db/pool.ts';
import { feedHorizon, type Position } from '../db/store/cable.ts';
import { readEventsAfter, type FeedEvent } from '../db/store/event-feed.ts';
import { EVENTS_CHANNEL } from '../events/feed.ts';
import type { Notifier } from '../events/notifier.ts';
import { startWakeableLoop } from '../events/wakeable-loop.ts';
import type { Logger } from '../log.ts';

/**
 * This process's live view of the events table: every API process tails it on its own, woken
 * by NOTIFY, so events committed by any process reach sockets held by every process.
 * Position and dispatch change together in one tick: a subscriber that reads `position()`
 * gets every later event from the tail and every earlier one from a replay, none twice.
 */
export async function startLiveTail(o: { db: Db; notifier: Notifier; log: Logger; pollMs?: number }) {
  let position: Position = await feedHorizon(o.db);
  const listeners = new Set<(events: FeedEvent[]) => void>();
  const batch = 1000;

  const loop = await startWakeableLoop({
    name: 'cable-tail', log: o.log, notifier: o.notifier, channel: EVENTS_CHANNEL, pollMs: o.pollMs ?? 1000, full: batch,
    async step() {
      const events = await readEventsAfter(o.db, position, batch);
      if (events.length === 0) return 0;
      const last = events.at(-1)!;
      position = { tx: last.tx, seq: last.seq };
      for (const fn of listeners) {
        try {
          fn(events);
        } catch (err) {
          o.log.error({ err }, 'cable dispatch failed');
        }
      }
      return events.length;
    },
  });

  return {
    position: () => position,
    onEvents(fn: (events: FeedEvent[]) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: () => loop.stop(),
  };
}

export type LiveTail = Awaited<ReturnType<typeof startLiveTail>>;

import type { Queryable } from '../db/pool.ts';
import { EVENTS_CHANNEL } from './feed.ts';

const wakers = new WeakMap<Queryable, () => void>();

/**
 * Wakes every process's event feeds after events committed: call it once the inserting
 * statement or transaction has committed. A burst of calls becomes one NOTIFY in flight plus at
 * most one more, sent outside the inserting transactions (see migration 002). A lost wake-up
 * only costs latency: feeds also poll.
 */
export function wakeEventFeeds(db: Queryable): void {
  let wake = wakers.get(db);
  if (!wake) wakers.set(db, (wake = createWaker(db)));
  wake();
}

function createWaker(db: Queryable) {
  let inFlight = false;
  let again = false;

  async function send() {
    inFlight = true;
    try {
      do {
        again = false;
        await db.query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL]);
      } while (again);
    } catch {
      // The feeds' poll picks the events up.
    } finally {
      inFlight = false;
    }
  }

  return () => {
    if (inFlight) again = true;
    else void send();
  };
}

import type { Queryable } from '../db/pool.ts';
import { EVENTS_CHANNEL } from './feed.ts';

/**
 * Wakes every process's event feeds after events committed. A burst of calls becomes one
 * NOTIFY in flight plus at most one more, sent outside the inserting transactions (see
 * migration 002). A lost wake-up only costs latency: feeds also poll.
 */
export function createEventWaker(db: Queryable) {
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

  return function wake() {
    if (inFlight) again = true;
    else void send();
  };
}

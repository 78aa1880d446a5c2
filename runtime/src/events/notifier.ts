import pg from 'pg';
import type { Logger } from '../log.ts';

/**
 * One LISTEN connection per process, shared by every feed and socket that wants wake-ups.
 * Reconnects after a PostgreSQL restart and then calls every listener once, because
 * notifications sent while it was away are lost (the feeds re-read from their cursors).
 */
export function createNotifier(connectionString: string, log: Logger) {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  async function connect(delayMs = 0): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'switchboard-notifier' });
    c.on('notification', (n) => {
      for (const fn of listeners.get(n.channel) ?? []) fn(n.payload ?? '');
    });
    c.on('error', (err) => {
      if (!closed) log.warn({ error: err.message }, 'notifier connection lost; reconnecting');
      c.end().catch(() => {});
      if (client === c) client = undefined;
      retry = setTimeout(() => void connect(Math.min(5000, delayMs * 2 || 100)), delayMs || 100);
    });
    try {
      await c.connect();
      for (const channel of listeners.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      client = c;
      for (const set of listeners.values()) for (const fn of set) fn('');
    } catch (err) {
      c.end().catch(() => {});
      log.warn({ error: (err as Error).message }, 'notifier could not connect; retrying');
      retry = setTimeout(() => void connect(Math.min(5000, delayMs * 2 || 100)), delayMs || 100);
    }
  }

  return {
    start: () => connect(),
    async listen(channel: string, fn: (payload: string) => void) {
      let set = listeners.get(channel);
      if (!set) {
        listeners.set(channel, (set = new Set()));
        await client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(fn);
      return () => set.delete(fn);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;

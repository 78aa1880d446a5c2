import type { Db } from '../db/pool.ts';
import { purgeAuditBefore } from '../db/store/audit.ts';
import { purgeDueSessions } from '../db/store/sessions.ts';

/** Purges every session due at `now`, batch by batch; safe to run on several workers at once. */
export async function purgeSessions(db: Db, now: Date, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await purgeDueSessions(db, now, batch);
    total += ids.length;
    if (ids.length < batch) return total;
  }
}

export async function purgeAudit(db: Db, now: Date, keepMs: number, batch = 5000): Promise<number> {
  const before = new Date(now.getTime() - keepMs);
  let total = 0;
  for (;;) {
    const n = await purgeAuditBefore(db, before, batch);
    total += n;
    if (n < batch) return total;
  }
}

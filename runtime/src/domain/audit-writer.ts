import type { Db } from '../db/pool.ts';
import { insertAuditEntries, type AuditEntry } from '../db/store/audit.ts';

/**
 * Group commit for the audit log: each request awaits its own row being durable, but rows
 * arriving while a write is in flight go out together in the next one. Under load this turns
 * N inserts into a handful, with no timer adding latency when idle.
 */
export function createAuditWriter(db: Db, maxBatch = 500) {
  let pending: { entry: AuditEntry; done: (error?: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;

  async function drain() {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      try {
        await insertAuditEntries(db, batch.map((p) => p.entry));
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.done(error);
      }
    }
    writing = undefined;
  }

  return {
    record(entry: AuditEntry): Promise<void> {
      return new Promise((resolve, reject) => {
        pending.push({ entry, done: (error) => (error ? reject(error) : resolve()) });
        writing ??= drain();
      });
    },
    /** Resolves once every recorded entry has been written (graceful shutdown). */
    async flush() {
      while (writing) await writing;
    },
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;

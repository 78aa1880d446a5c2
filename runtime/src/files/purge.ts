import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { filesAwaitingDeletion, markFilesDeleted } from '../db/store/files.ts';
import type { FileStorage } from './storage.ts';

/**
 * Deletes the bytes of every file whose session has been purged. Each object is deleted
 * before its row is marked, and deleting a missing object succeeds: after a crash the next
 * run repeats at most one batch of deletes. A storage error stops the run (the job retries).
 */
export async function purgeFiles(db: Db, storage: FileStorage, clock: Clock, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const due = await filesAwaitingDeletion(db, batch);
    if (due.length === 0) return total;
    const results = await Promise.allSettled(due.map((f) => storage.delete(f.storage_key)));
    const done = due.filter((_, i) => results[i]!.status === 'fulfilled').map((f) => f.id);
    if (done.length) total += await markFilesDeleted(db, done, clock.now());
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (due.length < batch) return total;
  }
}

import type { PgBoss } from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { purgeAudit, purgeSessions } from '../domain/retention.ts';
import { purgeFiles } from '../files/purge.ts';
import type { FileStorage } from '../files/storage.ts';
import type { Logger } from '../log.ts';

export const RETENTION_QUEUE = 'retention-purge';

/** Runs the purge every minute on whichever worker process picks the job up first. */
export async function startRetentionWorker(boss: PgBoss, deps: { db: Db; clock: Clock; log: Logger; auditRetentionMs: number; storage?: FileStorage }) {
  await boss.createQueue(RETENTION_QUEUE, { policy: 'singleton', retryLimit: 3, retryDelay: 30, expireInSeconds: 600 });
  await boss.schedule(RETENTION_QUEUE, '* * * * *');
  await boss.work(RETENTION_QUEUE, async () => {
    const now = deps.clock.now();
    const sessions = await purgeSessions(deps.db, now);
    // After the sessions: their files are already unreachable (410); this deletes the bytes.
    const files = deps.storage ? await purgeFiles(deps.db, deps.storage, deps.clock) : 0;
    const audit = await purgeAudit(deps.db, now, deps.auditRetentionMs);
    if (sessions || files || audit) deps.log.info({ sessions, files, audit }, 'retention purge');
  });
}

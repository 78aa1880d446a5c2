import { PgBoss } from 'pg-boss';
import type { Logger } from '../log.ts';

export const BOSS_SCHEMA = 'pgboss';

/** pg-boss on the same PostgreSQL, in its own schema, waking workers with LISTEN/NOTIFY. */
export async function startBoss(connectionString: string, log: Logger, options: { schedule: boolean; supervise: boolean }) {
  const boss = new PgBoss({
    connectionString,
    schema: BOSS_SCHEMA,
    max: 4,
    application_name: 'switchboard-queue',
    useListenNotify: true,
    schedule: options.schedule,
    supervise: options.supervise,
  });
  // Only message and code: pg errors carry their whole client, which would flood the log.
  boss.on('error', (error: Error & { code?: string }) => log.error({ error: error.message, code: error.code }, 'queue error'));
  await boss.start();
  return boss;
}

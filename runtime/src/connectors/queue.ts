import type { PgBoss } from 'pg-boss';
import type { Queryable } from '../db/pool.ts';

export const CONNECTOR_QUEUE = 'connector-run';

export type RunJob = { runId: string; team: string };

/** pg-boss on the caller's connection, so jobs commit (or roll back) with the caller's transaction. */
export function onConnection(q: Queryable) {
  return { executeSql: (text: string, values?: unknown[]) => q.query(text, values) as Promise<{ rows: any[] }> };
}

/** `delayMs` is relative to the database's clock (pg-boss schedules on it), not ours. */
export async function enqueueRuns(boss: Pick<PgBoss, 'insert'>, runs: RunJob[], q?: Queryable, delayMs = 0) {
  if (runs.length === 0) return;
  await boss.insert(CONNECTOR_QUEUE, runs.map((r) => ({ data: r, ...(delayMs > 0 ? { startAfter: Math.ceil(delayMs / 1000) } : {}) })), q ? { db: onConnection(q) } : undefined);
}

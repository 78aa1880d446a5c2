import type { PgBoss } from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Queryable } from '../db/pool.ts';
import { insertRunsForEvents } from '../db/store/connectors.ts';
import { newId } from '../domain/ids.ts';
import type { FeedEvent } from '../events/feed.ts';
import { enqueueRuns } from './queue.ts';

/**
 * The `connectors` feed's handler. It runs inside the cursor's transaction, so the runs and
 * their jobs commit atomically with the cursor: each (event, enablement) runs exactly once.
 */
export function createConnectorFanOut(boss: Pick<PgBoss, 'insert'>, clock: Clock) {
  return async (q: Queryable, events: FeedEvent[]) => {
    const runs = await insertRunsForEvents(q, events.map((e) => e.seq), () => newId('run'), clock.now());
    await enqueueRuns(boss, runs.map((r) => ({ runId: r.id, team: r.team })), q);
  };
}

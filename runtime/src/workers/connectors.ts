import type { PgBoss } from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import { executeRuns } from '../connectors/execute.ts';
import { createConnectorFanOut } from '../connectors/fan-out.ts';
import { CONNECTOR_QUEUE, type RunJob } from '../connectors/queue.ts';
import type { Db } from '../db/pool.ts';
import { startFeed } from '../events/feed.ts';
import type { Notifier } from '../events/notifier.ts';
import type { Logger } from '../log.ts';
import { createSandbox, type Sandbox } from '../sandbox/pool.ts';

export { CONNECTOR_QUEUE };

/**
 * Connector deliveries: the `connectors` event feed fans matching events out to runs + jobs;
 * pg-boss hands the jobs to this process, which runs each in the sandbox and records it.
 */
export async function startConnectorWorker(boss: PgBoss, deps: { db: Db; config: Config; clock: Clock; log: Logger; notifier?: Notifier; sandbox?: Sandbox; feedPollMs?: number }) {
  const { config, log } = deps;
  const sandbox = deps.sandbox ?? createSandbox({
    processes: config.CONNECTOR_SANDBOX_PROCESSES,
    allowAddresses: config.CONNECTOR_ALLOWED_ADDRESSES.split(',').map((s) => s.trim()).filter(Boolean),
  });
  // Retries are ours, recorded on the run with their schedule.
  await boss.createQueue(CONNECTOR_QUEUE, { notify: true, expireInSeconds: Math.ceil(config.CONNECTOR_MAX_WALL / 1000) + 120 });
  const feed = await startFeed({
    db: deps.db, log, name: 'connectors', handle: createConnectorFanOut(boss, deps.clock), notifier: deps.notifier, pollMs: deps.feedPollMs,
  });
  const exec = { db: deps.db, clock: deps.clock, log, sandbox, boss, config };
  await boss.work<RunJob>(CONNECTOR_QUEUE, {
    batchSize: config.CONNECTOR_CONCURRENCY, localConcurrency: 2, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 5, burstWhenBatchFull: true,
  }, async (jobs) => {
    try {
      await executeRuns(exec, jobs.map((j) => j.data));
    } catch (err) {
      // Not thrown: that would fail the whole batch. Runs claimed stay `running` until they
      // are stale, and these jobs come back just after that to claim them again.
      log.error({ err, runs: jobs.length }, 'connector runs could not be recorded; trying again later');
      const later = Math.ceil(config.CONNECTOR_MAX_WALL / 1000) + 61;
      await boss.insert(CONNECTOR_QUEUE, jobs.map((j) => ({ data: j.data, startAfter: later }))).catch(() => {});
    }
  });
  return {
    sandbox,
    async stop() {
      await feed.stop();
      await boss.offWork(CONNECTOR_QUEUE);
      if (!deps.sandbox) await sandbox.close();
    },
  };
}

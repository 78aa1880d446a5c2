import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import { createDb, type Db } from '../db/pool.ts';
import { startFeed } from '../events/feed.ts';
import { createNotifier, type Notifier } from '../events/notifier.ts';
import type { Logger } from '../log.ts';
import { leaseFor, startDeliveryLoop } from '../webhooks/delivery-loop.ts';
import { fanOut } from '../webhooks/fanout.ts';
import { webhookKeyring, webhookRetryPolicy, webhookSender } from '../webhooks/setup.ts';

/**
 * Webhooks in a worker process: the `webhooks` event feed fans events out into delivery rows,
 * and the delivery loop sends them. Any number of worker processes may run both.
 */
export async function startWebhookWorker(deps: { db?: Db; config: Config; clock: Clock; log: Logger; databaseUrl: string; notifier?: Notifier }) {
  const { config, clock, log } = deps;
  // Its own pool, committing without waiting for the WAL flush: every write here can be redone
  // (a lost fan-out is fanned out again under the same delivery ids, a lost attempt record means
  // one more send under the same webhook-id), so at-least-once holds and latency drops.
  // Ingest commits, elsewhere, stay synchronous.
  const db = createDb(deps.databaseUrl, { max: Math.max(4, Math.min(config.DB_POOL_SIZE, 8)), applicationName: 'switchboard-webhooks' });
  db.pool.on('connect', (client) => void client.query('SET synchronous_commit TO off').catch(() => {}));
  const ownNotifier = !deps.notifier;
  const notifier = deps.notifier ?? createNotifier(deps.databaseUrl, log);
  if (ownNotifier) await notifier.start();
  const sender = webhookSender(config);
  const feed = await startFeed({ db, log, name: 'webhooks', notifier, pollMs: config.WEBHOOK_POLL, handle: async (q, events) => void (await fanOut(q, events, clock.now())) });
  const delivery = await startDeliveryLoop({
    db, log, clock, notifier, sender, keyring: webhookKeyring(config), retry: webhookRetryPolicy(config),
    leaseMs: leaseFor(config.WEBHOOK_LEASE, config.WEBHOOK_TIMEOUT), pollMs: config.WEBHOOK_POLL,
    perEndpoint: config.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT, concurrency: config.WEBHOOK_CONCURRENCY, disableAfterMs: config.WEBHOOK_DISABLE_AFTER,
  });
  return {
    async stop() {
      await feed.stop();
      await delivery.stop();
      await sender.close();
      await db.close();
      if (ownNotifier) await notifier.close();
    },
  };
}

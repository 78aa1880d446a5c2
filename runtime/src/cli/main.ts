import { join } from 'node:path';
import type { PgBoss } from 'pg-boss';
import { createApp } from '../api/app.ts';
import { createApiDeps } from '../api/deps.ts';
import { listen } from '../api/server.ts';
import { startCable } from '../cable/index.ts';
import { createNotifier } from '../events/notifier.ts';
import type { Server } from 'node:http';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig, type Config } from '../config/env.ts';
import { migrate } from '../db/migrate.ts';
import { createDb } from '../db/pool.ts';
import { ensureAdminToken } from '../domain/operators.ts';
import { createStorage } from '../files/storage.ts';
import { createLogger, type Logger } from '../log.ts';
import { startBoss } from '../queue/boss.ts';
import { startConnectorWorker } from '../workers/connectors.ts';
import { startRetentionWorker } from '../workers/retention.ts';
import { startWebhookWorker } from '../workers/webhooks.ts';

const usage = `usage: switchboard [start|api|worker|migrate]
  start    API and workers in one process (default)
  api      the HTTP API only
  worker   the background workers only
  migrate  apply database migrations and exit
Configuration comes from environment variables (see README).`;

type Command = 'start' | 'api' | 'worker' | 'migrate';

async function openDatabase(config: Config, log: Logger) {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => {} };
  const dataDir = join(config.SWITCHBOARD_DATA_DIR, 'pg');
  log.info({ dataDir }, 'no DATABASE_URL: starting embedded PostgreSQL');
  // Loaded only when needed: a process given DATABASE_URL never touches the embedded binaries.
  const { startEmbeddedPostgres } = await import('../db/embedded.ts');
  return startEmbeddedPostgres({ dataDir, log: (msg: string) => log.debug({ component: 'embedded-postgres' }, msg) });
}

export async function main(argv: string[]): Promise<void> {
  const command = (argv[0] ?? 'start') as Command;
  if (!['start', 'api', 'worker', 'migrate'].includes(command)) {
    console.error(argv[0] === 'help' || argv[0] === '--help' ? usage : `unknown command "${argv[0]}"\n${usage}`);
    process.exit(argv[0] === 'help' || argv[0] === '--help' ? 0 : 2);
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchboard: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  if (!config.SECRET_KEYS) log.warn('SECRET_KEYS is not set: secrets at rest are sealed with a publicly known development key');
  const database = await openDatabase(config, log);
  const db = createDb(database.url, { max: config.DB_POOL_SIZE, applicationName: `switchboard-${command}` });
  const { applied, version } = await migrate(db);
  log.info({ applied, version }, 'database migrated');
  if (command === 'migrate') {
    await db.close();
    await database.stop();
    return;
  }

  const adminToken = await ensureAdminToken(db, config.SWITCHBOARD_ADMIN_TOKEN);
  if (adminToken) {
    // Printed once, outside the structured log, so it never lands in log storage.
    process.stdout.write(`\nSwitchboard admin token (shown once; only its hash is stored):\n  ${adminToken}\n\n`);
  }

  const clock = systemClock;
  let auditFlush = async () => {};
  const stops: (() => Promise<void>)[] = [];
  let queue: PgBoss | undefined;
  // One LISTEN connection per process wakes the event feeds, the delivery loops and the sockets.
  const notifier = createNotifier(database.url, log);
  await notifier.start();

  if (command === 'start' || command === 'worker') {
    const boss = await startBoss(database.url, log, { schedule: true, supervise: true });
    queue = boss;
    const connectors = await startConnectorWorker(boss, { db, config, clock, log, notifier });
    stops.push(() => connectors.stop());
    await startRetentionWorker(boss, { db, clock, log, auditRetentionMs: config.AUDIT_RETENTION, storage: createStorage(config) });
    stops.push(() => boss.stop({ graceful: true, timeout: config.SHUTDOWN_GRACE }));
    const webhooks = await startWebhookWorker({ db, config, clock, log, databaseUrl: database.url, notifier });
    stops.unshift(() => webhooks.stop());
    log.info('workers started');
  }
  if (command === 'api') {
    // Send-only: the API queues connector retries and run-now jobs for the worker processes.
    const boss = await startBoss(database.url, log, { schedule: false, supervise: false });
    queue = boss;
    stops.push(() => boss.stop({ graceful: true, timeout: config.SHUTDOWN_GRACE }));
  }
  if (command === 'start' || command === 'api') {
    const deps = createApiDeps({ db, config, clock, log, queue });
    auditFlush = deps.audit.flush;
    const server = await listen(createApp(deps), config.HOST, config.PORT);
    const cable = await startCable({ deps, server: server.server as Server, notifier, publicUrl: config.SWITCHBOARD_PUBLIC_URL ?? server.url });
    // Sockets are told to reconnect elsewhere first, then HTTP stops accepting.
    stops.unshift(() => server.close());
    stops.unshift(() => cable.stop());
    log.info({ url: server.url, environment: config.SWITCHBOARD_ENV }, 'api listening');
  }

  stops.push(() => notifier.close());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, graceMs: config.SHUTDOWN_GRACE }, 'shutting down');
    // On Ctrl-C an embedded PostgreSQL gets the signal too and closes our connections:
    // while stopping, a lost database connection is expected, not a crash.
    process.on('uncaughtException', (err: Error & { code?: string }) => {
      if (err.code === '57P01' || /Connection terminated/.test(err.message)) return;
      log.error({ err }, 'uncaught exception while stopping');
      process.exit(1);
    });
    const deadline = setTimeout(() => {
      log.error('grace period over: exiting with work unfinished');
      process.exit(1);
    }, config.SHUTDOWN_GRACE + 5000);
    deadline.unref();
    for (const stop of stops) await stop().catch((err) => log.error({ err }, 'error while stopping'));
    await auditFlush();
    await db.close();
    await database.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

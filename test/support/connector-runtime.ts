import { randomBytes } from 'node:crypto';
import { createApiDeps, createApp, createDb, createLogger, ensureAdminToken, loadConfig, migrate } from '@switchboard/runtime';
import { createNotifier } from '../../runtime/src/events/notifier.ts';
import { startBoss } from '../../runtime/src/queue/boss.ts';
import { startConnectorWorker } from '../../runtime/src/workers/connectors.ts';
import { createTestDatabase } from './database.ts';
import { createTestClock } from './runtime.ts';

/**
 * The API with a job queue plus the connector worker (feed → pg-boss → sandbox), over a
 * database of its own: the production wiring of `switchboard start`, minus HTTP listening.
 */
export async function startConnectorRuntime(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const db = createDb(database.url, { max: 8 });
  await migrate(db);
  const config = loadConfig({ SWITCHBOARD_ENV: 'test', LOG_LEVEL: 'silent', CONNECTOR_ALLOWED_ADDRESSES: '127.0.0.1', CONNECTOR_RETRY_SCHEDULE: '1s', ...env });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const clock = createTestClock(new Date());
  const boss = await startBoss(database.url, log, { schedule: false, supervise: true });
  const notifier = createNotifier(database.url, log);
  await notifier.start();
  const worker = await startConnectorWorker(boss, { db, config, clock, log, notifier, feedPollMs: 200 });
  const deps = createApiDeps({ db, config, clock, log, queue: boss });
  const adminToken = `sbo_${randomBytes(24).toString('base64url')}`;
  await ensureAdminToken(db, adminToken);
  const app = createApp(deps);

  async function call(method: string, path: string, options: { body?: unknown; auth?: { bearer: string } | { basic: { key: string; secret: string } } } = {}) {
    const headers: Record<string, string> = {};
    const auth = options.auth ?? { bearer: adminToken };
    if ('bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
    else headers.authorization = `Basic ${Buffer.from(`${auth.basic.key}:${auth.basic.secret}`).toString('base64')}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, json, text };
  }

  /** Polls the API until `done` holds (runs finish asynchronously; no fixed sleeps). */
  async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (done(v)) return v;
      if (Date.now() > until) throw new Error(`timed out waiting; last value: ${JSON.stringify(v).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    app, db, deps, boss, worker, clock, adminToken, call, waitFor,
    async close() {
      await worker.stop();
      await boss.stop({ graceful: false }).catch(() => {});
      await notifier.close();
      await deps.audit.flush();
      await db.close();
      await database.drop();
    },
  };
}

export type ConnectorRuntime = Awaited<ReturnType<typeof startConnectorRuntime>>;

/** Team, flow and a producer credential; returns what a test needs to submit sessions. */
export async function seedProducer(rt: ConnectorRuntime, team = 'lambeth', flow = 'ldc') {
  await rt.call('POST', '/v1/teams', { body: { slug: team, name: `Team ${team}`, variables: {} } });
  await rt.call('POST', `/v1/teams/${team}/flows`, { body: { slug: flow, name: `Flow ${flow}` } });
  const p = await rt.call('POST', '/v1/credentials', { body: { kind: 'producer', platform: 'planx', teams: [team] } });
  if (p.status !== 201) throw new Error(`producer: ${p.status} ${p.text}`);
  return { team, flow, producer: { basic: { key: p.json.credential.key as string, secret: p.json.secret as string } } };
}

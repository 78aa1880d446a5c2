import { randomBytes } from 'node:crypto';
import { createApiDeps, createApp, createDb, createLogger, ensureAdminToken, loadConfig, migrate, type Clock } from '@switchboard/runtime';
import { createTestDatabase } from './database.ts';

/** A clock tests move by hand: retention and retries are driven by time, never by sleeping. */
export function createTestClock(start = new Date('2026-11-23T10:00:00.000Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  } satisfies Clock & { advance(ms: number): void };
}

export type TestRuntime = Awaited<ReturnType<typeof startTestRuntime>>;

/** A migrated database of its own and an API app over it, driven through `app.request()`. */
export async function startTestRuntime(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const db = createDb(database.url, { max: 5 });
  await migrate(db);
  const config = loadConfig({ SWITCHBOARD_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const clock = createTestClock();
  const deps = createApiDeps({ db, config, clock, log: createLogger('silent') });
  const adminToken = `sbo_${randomBytes(24).toString('base64url')}`;
  await ensureAdminToken(db, adminToken);
  const app = createApp(deps);

  async function call(method: string, path: string, options: { body?: unknown; auth?: Auth; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth ?? { bearer: adminToken };
    if ('bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
    else if ('basic' in auth) headers.authorization = `Basic ${Buffer.from(`${auth.basic.key}:${auth.basic.secret}`).toString('base64')}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await app.request(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  return {
    app, db, deps, clock, adminToken, databaseUrl: database.url, call,
    async close() {
      await deps.audit.flush();
      await db.close();
      await database.drop();
    },
  };
}

export type Auth = { bearer: string } | { basic: { key: string; secret: string } } | { none: true };

/** Team → flow → grant → producer and consumer credentials: the usual starting point. */
export async function seedTeam(rt: TestRuntime, team = 'lambeth', flow = 'ldc', platform = 'bops') {
  const t = await rt.call('POST', '/v1/teams', { body: { slug: team, name: `Team ${team}`, variables: { backOffice: platform } } });
  if (t.status !== 201) throw new Error(`seed team: ${t.status} ${t.text}`);
  await rt.call('POST', `/v1/teams/${team}/flows`, { body: { slug: flow, name: `Flow ${flow}` } });
  await rt.call('POST', `/v1/teams/${team}/flows/${flow}/grants`, { body: { destinationKind: 'platform', destination: platform } });
  const producer = await rt.call('POST', '/v1/credentials', { body: { kind: 'producer', platform: 'planx', teams: [team] } });
  const consumer = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform, teams: [team], scopes: ['sessions:read', 'files:read', 'events:read'] } });
  const basic = (r: { json: any }) => ({ basic: { key: r.json.credential.key as string, secret: r.json.secret as string } });
  return {
    team, flow, platform,
    producer: basic(producer), producerId: producer.json.credential.id as string,
    consumer: basic(consumer), consumerId: consumer.json.credential.id as string,
  };
}

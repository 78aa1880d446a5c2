import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiDeps, createApp, createDb, createLogger, ensureAdminToken, loadConfig, migrate } from '@switchboard/runtime';
import { listen } from '../../runtime/src/api/server.ts';
import { createTestDatabase } from '../support/database.ts';

/** A clock the test moves by hand (retention, link expiry); starts at the real time so presigned URLs are current. */
export function createClock(start = new Date()) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms), set: (d: Date) => void (now = d.getTime()) };
}

export type FilesRuntime = Awaited<ReturnType<typeof startFilesRuntime>>;

/** The API over a real database, served over real HTTP on 127.0.0.1, with files in a temp folder unless env says otherwise. */
export async function startFilesRuntime(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'sb-files-api-'));
  const db = createDb(database.url, { max: 5 });
  await migrate(db);
  const config = loadConfig({ SWITCHBOARD_ENV: 'test', LOG_LEVEL: 'silent', FILES_DIR: dir, RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '10000', ...env });
  const clock = createClock();
  const deps = createApiDeps({ db, config, clock, log: createLogger('silent') });
  const adminToken = `sbo_${randomBytes(24).toString('base64url')}`;
  await ensureAdminToken(db, adminToken);
  const server = await listen(createApp(deps), '127.0.0.1', 0);

  const authHeader = (auth: Auth) => ('bearer' in auth ? `Bearer ${auth.bearer}` : `Basic ${Buffer.from(`${auth.basic.key}:${auth.basic.secret}`).toString('base64')}`);
  async function call(method: string, path: string, options: { body?: unknown; auth?: Auth } = {}) {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: authHeader(options.auth ?? { bearer: adminToken }), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }

  return {
    url: server.url, db, deps, clock, dir, adminToken, call, authHeader,
    async close() {
      await server.close();
      await deps.audit.flush();
      await db.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type Auth = { bearer: string } | { basic: { key: string; secret: string } };

export async function seed(rt: FilesRuntime, team = 'lambeth', flow = 'ldc', platform = 'bops') {
  const t = await rt.call('POST', '/v1/teams', { body: { slug: team, name: `Team ${team}`, variables: {} } });
  if (t.status !== 201) throw new Error(`seed team: ${t.status} ${JSON.stringify(t.json)}`);
  await rt.call('POST', `/v1/teams/${team}/flows`, { body: { slug: flow, name: `Flow ${flow}` } });
  await rt.call('POST', `/v1/teams/${team}/flows/${flow}/grants`, { body: { destinationKind: 'platform', destination: platform } });
  const producer = await rt.call('POST', '/v1/credentials', { body: { kind: 'producer', platform: 'planx', teams: [team] } });
  const consumer = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform, teams: [team], scopes: ['sessions:read', 'files:read'] } });
  const basic = (r: { json: any }) => ({ basic: { key: r.json.credential.key as string, secret: r.json.secret as string } });
  return { team, flow, platform, producer: basic(producer), consumer: basic(consumer) };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { startSink, type Sink } from '../support/webhook-sink.ts';

// The worker as it runs in production: a child process, killed with SIGKILL mid-delivery.
const bin = fileURLToPath(new URL('../../runtime/bin/switchboard.ts', import.meta.url));
let rt: TestRuntime;
let sink: Sink;
let seeded: Awaited<ReturnType<typeof seedTeam>>;
const children: ChildProcess[] = [];
const env = {
  SWITCHBOARD_ENV: 'test', WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
  WEBHOOK_POLL: '200ms', WEBHOOK_TIMEOUT: '1s', WEBHOOK_LEASE: '1s',
};

function worker() {
  const child = spawn(process.execPath, ['--no-node-snapshot', bin, 'worker'], {
    env: { PATH: process.env.PATH, DATABASE_URL: rt.databaseUrl, LOG_LEVEL: 'warn', SWITCHBOARD_ADMIN_TOKEN: rt.adminToken, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d) => (err += d));
  children.push(child);
  return { child, stderr: () => err };
}

beforeAll(async () => {
  rt = await startTestRuntime(env);
  seeded = await seedTeam(rt);
  sink = await startSink(() => ({ status: 204, delayMs: 150 }));
  const wh = await rt.call('POST', '/v1/webhooks', { body: { team: 'lambeth', url: sink.url, eventTypes: ['session.*'] } });
  await rt.call('POST', '/v1/teams/lambeth/flows/ldc/grants', { body: { destinationKind: 'webhook', destination: wh.json.webhook.id } });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sink?.close();
  await rt?.close();
});

let n = 0;
async function submitMany(count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await rt.call('POST', '/v1/sessions', { auth: seeded.producer, body: { id: `c0000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, team: 'lambeth', flow: 'ldc', data: {} } });
    expect(r.status).toBe(201);
    ids.push(`c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
  }
  return ids;
}

let survivor: ReturnType<typeof worker> | undefined;
const deliveredSessions = () => new Set(sink.received.map((r) => JSON.parse(r.body).id as string));

it('delivers every event at least once across a kill -9 mid-delivery, recording the lost attempts', async () => {
  const a = worker();
  const ids = await submitMany(60);
  // Kill while requests are in flight: some received, not all answered.
  await expect.poll(() => sink.received.length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(15).catch((e) => {
    throw new Error(`${e.message}\nworker output:\n${a.stderr()}`);
  });
  a.child.kill('SIGKILL');
  await new Promise((r) => a.child.once('exit', r));
  expect(deliveredSessions().size).toBeLessThan(60);

  survivor = worker();
  await expect.poll(() => ids.every((id) => deliveredSessions().has(id)), { timeout: 60_000, interval: 100 }).toBe(true);
  await expect.poll(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'succeeded'`)).rows[0]!.n, { timeout: 30_000 }).toBe(0);

  const { rows } = await rt.db.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM webhook_attempts GROUP BY outcome`);
  const by = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
  expect(by.succeeded).toBe(60);
  // The attempts the killed worker had in flight are on record, as abandoned, and were sent again under the same webhook-id.
  expect(by.abandoned).toBeGreaterThanOrEqual(1);
  const abandoned = await rt.db.query<{ delivery_id: string }>(`SELECT delivery_id FROM webhook_attempts WHERE outcome = 'abandoned'`);
  for (const { delivery_id } of abandoned.rows) expect(sink.received.filter((r) => r.headers['webhook-id'] === delivery_id).length).toBeGreaterThanOrEqual(1);
  // Every delivery's attempts are numbered without gaps.
  const gaps = await rt.db.query(`SELECT d.id FROM webhook_deliveries d WHERE d.attempts <> (SELECT count(*) FROM webhook_attempts a WHERE a.delivery_id = d.id)`);
  expect(gaps.rows).toEqual([]);
}, 120_000);

it('recovers by itself when its database connections are dropped mid-run', async () => {
  const before = sink.received.length;
  const ids = await submitMany(30);
  await expect.poll(() => sink.received.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(before + 3);
  const admin = new pg.Client(rt.databaseUrl);
  await admin.connect();
  const killed = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'switchboard-%'`);
  await admin.end();
  expect(killed.rowCount).toBeGreaterThan(0);
  const more = await submitMany(10);
  await expect.poll(() => [...ids, ...more].every((id) => deliveredSessions().has(id)), { timeout: 60_000, interval: 100 }).toBe(true).catch((e) => {
    throw new Error(`${e.message}\nworker exit code: ${survivor?.child.exitCode}\nworker output:\n${survivor?.stderr().slice(-3000)}`);
  });
  // The same process carried on: no restart, no manual step.
  expect(survivor!.child.exitCode).toBeNull();
}, 120_000);

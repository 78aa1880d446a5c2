import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../support/net.ts';
import { rawClient } from '../support/cable.ts';
import { createTestDatabase } from '../support/database.ts';

const bin = fileURLToPath(new URL('../../runtime/bin/switchboard.ts', import.meta.url));
const ADMIN = 'sbo_failover_admin_token_0123456789';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const children: ChildProcess[] = [];

async function apiProcess() {
  const port = await freePort();
  const child = spawn(process.execPath, ['--no-node-snapshot', bin, 'api'], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn', SWITCHBOARD_ENV: 'test', SWITCHBOARD_ADMIN_TOKEN: ADMIN },
    stdio: 'ignore',
  });
  children.push(child);
  await waitFor(`http://127.0.0.1:${port}/readyz`);
  return { child, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/v1/cable` };
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await database.drop();
});

describe('websocket failover', () => {
  it('kill -9 of the process holding the socket: the client reconnects to another process and loses nothing', async () => {
    const a = await apiProcess();
    const b = await apiProcess();
    const post = async (base: string, path: string, body: unknown, auth = `Bearer ${ADMIN}`) => {
      const res = await fetch(base + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json() as Promise<any>;
    };
    await post(b.base, '/v1/teams', { slug: 'lambeth', name: 'Lambeth' });
    await post(b.base, '/v1/teams/lambeth/flows', { slug: 'ldc', name: 'LDC' });
    await post(b.base, '/v1/teams/lambeth/flows/ldc/grants', { destination: 'bops' });
    const basic = (c: any) => `Basic ${Buffer.from(`${c.credential.key}:${c.secret}`).toString('base64')}`;
    const producer = basic(await post(b.base, '/v1/credentials', { kind: 'producer', platform: 'planx', teams: ['lambeth'] }));
    const consumer = basic(await post(b.base, '/v1/credentials', { kind: 'consumer', platform: 'bops', teams: ['lambeth'], scopes: ['events:read'] }));
    let n = 0;
    const ingest = async () => (await post(b.base, '/v1/sessions', { id: `fo-${++n}`, team: 'lambeth', flow: 'ldc', data: {} }, producer)).eventId as string;

    const sub = { command: 'subscribe', identifier: JSON.stringify({ channel: 'EventChannel', events: 'session.*', ack: true, name: 'failover' }) };
    const received = new Set<string>();
    const onA = await rawClient(a.ws, { authorization: consumer });
    onA.send(sub);
    await expect.poll(() => onA.frames.some((f) => f.type === 'confirm_subscription')).toBe(true);

    const sent: string[] = [];
    for (let i = 0; i < 10; i++) sent.push(await ingest());
    await expect.poll(() => onA.messages().length, { timeout: 10_000 }).toBe(10);
    for (const f of onA.messages().slice(0, 5)) received.add(f.message.id);
    // Acknowledge the first five only, then the process dies without a goodbye.
    onA.send({ command: 'message', identifier: sub.identifier, data: JSON.stringify({ action: 'ack', id: sent[4] }) });
    const db = new pg.Client(database.url);
    await db.connect();
    await expect.poll(async () => (await db.query(`SELECT event_id FROM switchboard.cable_positions`)).rows[0]?.event_id).toBe(sent[4]);
    await db.end();
    a.child.kill('SIGKILL');
    await onA.closed;
    for (let i = 0; i < 5; i++) sent.push(await ingest()); // while the client is away

    const onB = await rawClient(b.ws, { authorization: consumer });
    onB.send(sub);
    await expect.poll(() => onB.messages().length, { timeout: 10_000 }).toBe(10);
    for (const f of onB.messages()) received.add(f.message.id);
    expect(onB.messages().map((f) => f.message.id)).toEqual(sent.slice(5));
    expect([...received].sort()).toEqual([...sent].sort());
    onB.ws.close();
  });
});

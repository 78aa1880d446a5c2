import { request } from 'node:http';
import * as ActionCableModule from '@rails/actioncable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installBrowserStubs, rawClient, serveWithCable, webSocketWithBasicAuth } from '../support/cable.ts';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const ActionCable = ((ActionCableModule as any).default ?? ActionCableModule) as typeof ActionCableModule;

let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;
let other: Awaited<ReturnType<typeof seedTeam>>;
let server: Awaited<ReturnType<typeof serveWithCable>>;
let n = 0;

beforeAll(async () => {
  installBrowserStubs();
  rt = await startTestRuntime({ CABLE_MAX_BUFFERED_BYTES: '4096' });
  seed = await seedTeam(rt, 'lambeth');
  other = await seedTeam(rt, 'southwark');
  server = await serveWithCable(rt);
});
afterAll(async () => {
  await server.close();
  await rt.close();
});

const submit = (s = seed, flow = s.flow) =>
  rt.call('POST', '/v1/sessions', { auth: s.producer, body: { id: `cable-${++n}`, team: s.team, flow, paymentId: `pay-${n}`, data: { secret: 'personal' } } }).then((r) => {
    if (r.status !== 201) throw new Error(r.text);
    return r.json.eventId as string;
  });
const basicHeader = (s: typeof seed) => ({ authorization: `Basic ${Buffer.from(`${s.consumer.basic.key}:${s.consumer.basic.secret}`).toString('base64')}` });
const subscribeFrame = (identifier: Record<string, unknown>) => ({ command: 'subscribe', identifier: JSON.stringify({ channel: 'EventChannel', ...identifier }) });
const ids = (c: { messages(): any[] }) => c.messages().map((f) => f.message.id);

const ackedEvent = async (name: string) =>
  (await rt.db.query<{ event_id: string }>(`SELECT event_id FROM cable_positions WHERE name = $1`, [name])).rows[0]?.event_id;

/** A raw upgrade request, to see the HTTP answer a refused client gets. */
function upgradeRefusal(headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(server.wsUrl.replace('ws', 'http'), { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'actioncable-v1-json', ...headers } });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('websocket delivery with the official ActionCable client', () => {
  it('connects, subscribes and receives the light notification for a new session', async () => {
    ActionCable.adapters.WebSocket = webSocketWithBasicAuth(seed.consumer.basic.key, seed.consumer.basic.secret) as any;
    const consumer = ActionCable.createConsumer(server.wsUrl);
    const received: any[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer.subscriptions.create({ channel: 'EventChannel', events: 'session.*' }, {
        connected: () => resolve(),
        rejected: () => reject(new Error('rejected')),
        received: (m: any) => received.push(m),
      });
    });
    const eventId = await submit();
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(1);
    consumer.disconnect();
    expect(received[0]).toEqual({
      id: eventId, timestamp: expect.any(String), name: 'session.submitted', version: '1',
      payload: { id: `cable-${n}`, team: 'lambeth', flow: 'ldc', paymentID: `pay-${n}` },
      link: `${server.url}/v1/sessions/cable-${n}`, received_at: expect.any(String), subject: 'lambeth',
    });
    expect(JSON.stringify(received)).not.toContain('personal');
  });
});

describe('protocol', () => {
  it('welcomes, pings every 3 s, confirms and rejects subscriptions with the same identifier', async () => {
    const c = await rawClient(server.wsUrl, basicHeader(seed));
    const ok = subscribeFrame({ events: 'session.submitted' });
    c.send(ok);
    for (const bad of [{ command: 'subscribe', identifier: JSON.stringify({ channel: 'ChatChannel', events: '*' }) }, subscribeFrame({ events: 'bad pattern!' }), subscribeFrame({ events: '*', since: 'not-a-time' })]) c.send(bad);
    await expect.poll(() => c.frames.filter((f) => f.type === 'ping').length, { timeout: 4000 }).toBeGreaterThanOrEqual(1);
    expect(c.frames[0]).toEqual({ type: 'welcome' });
    expect(c.frames.find((f) => f.type === 'confirm_subscription')).toEqual({ type: 'confirm_subscription', identifier: ok.identifier });
    expect(c.frames.filter((f) => f.type === 'reject_subscription')).toHaveLength(3);
    expect(typeof c.frames.find((f) => f.type === 'ping').message).toBe('number');
    c.ws.close();
  });

  it('malformed frames and unknown commands never crash the server', async () => {
    const c = await rawClient(server.wsUrl, basicHeader(seed));
    for (const junk of ['', 'not json', '[]', '{"command":"explode","identifier":"{}"}', '{"command":"message","identifier":"nope","data":"{{"}', '{"command":"subscribe","identifier":"{\\"channel\\":\\"EventChannel\\"}"}', 'x'.repeat(60_000)]) c.send(junk);
    c.send(subscribeFrame({ events: '*' }));
    await expect.poll(() => c.frames.some((f) => f.type === 'confirm_subscription')).toBe(true);
    const eventId = await submit();
    await expect.poll(() => ids(c)).toContain(eventId);
    c.ws.close();
  });

  it('refuses a bad upgrade with 401/403 problem+json before upgrading, and audits it', async () => {
    const none = await upgradeRefusal({});
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toBe('application/problem+json');
    expect(none.body.code).toBe('unauthenticated');
    const producer = await upgradeRefusal(basicHeader({ ...seed, consumer: seed.producer }));
    expect(producer.status).toBe(403);
    expect(producer.body.code).toBe('insufficient_scope');
    const audit = (await rt.call('GET', '/v1/audit?limit=10')).json.entries.filter((e: any) => e.route === '/v1/cable');
    expect(audit.map((e: any) => e.status)).toEqual(expect.arrayContaining([401, 403]));
  });

  it('a browser ticket works once', async () => {
    const t = await rt.call('POST', '/v1/cable/tickets', { auth: seed.consumer });
    expect(t.status).toBe(201);
    const c = await rawClient(`${server.wsUrl}?ticket=${encodeURIComponent(t.json.ticket)}`, {});
    await expect.poll(() => c.frames[0]).toEqual({ type: 'welcome' });
    c.ws.close();
    await expect(rawClient(`${server.wsUrl}?ticket=${encodeURIComponent(t.json.ticket)}`, {})).rejects.toThrow(/401/);
  });
});

describe('who sees what', () => {
  it("a credential sees only its own team's events, and only for granted flows", async () => {
    await rt.call('POST', `/v1/teams/${seed.team}/flows`, { body: { slug: 'ungranted', name: 'Ungranted' } });
    const c = await rawClient(server.wsUrl, basicHeader(other));
    c.send(subscribeFrame({ events: '*' }));
    const mine = await rawClient(server.wsUrl, basicHeader(seed));
    mine.send(subscribeFrame({ events: '*' }));
    await expect.poll(() => c.frames.some((f) => f.type === 'confirm_subscription') && mine.frames.some((f) => f.type === 'confirm_subscription')).toBe(true);
    const lambethEvent = await submit(seed);
    const hidden = await submit(seed, 'ungranted');
    const southwarkEvent = await submit(other);
    await expect.poll(() => ids(c)).toContain(southwarkEvent);
    await expect.poll(() => ids(mine)).toContain(lambethEvent);
    await new Promise((r) => setTimeout(r, 200));
    expect(ids(c)).not.toContain(lambethEvent);
    expect(ids(mine)).not.toContain(southwarkEvent);
    expect(ids(mine)).not.toContain(hidden);
    c.ws.close();
    mine.ws.close();
  });

  it('a revoked credential is disconnected within a second, without reconnect', async () => {
    const fresh = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: ['lambeth'], scopes: ['events:read'] } });
    const c = await rawClient(server.wsUrl, { authorization: `Basic ${Buffer.from(`${fresh.json.credential.key}:${fresh.json.secret}`).toString('base64')}` });
    await expect.poll(() => c.frames[0]).toEqual({ type: 'welcome' });
    const revokedAt = Date.now();
    await rt.call('POST', `/v1/credentials/${fresh.json.credential.id}/revoke`);
    await c.closed;
    expect(Date.now() - revokedAt).toBeLessThan(1500);
    expect(c.frames.at(-1)).toEqual({ type: 'disconnect', reason: 'unauthorized', reconnect: false });
  });
});

describe('rewind and acknowledgement', () => {
  it('replays after an event id, then goes live with no gap and no duplicate at the seam under concurrent ingest', async () => {
    const start = await submit();
    const before = [await submit(), await submit(), await submit()];
    const c = await rawClient(server.wsUrl, basicHeader(seed));
    const ingesting = Promise.all(Array.from({ length: 30 }, () => submit()));
    c.send(subscribeFrame({ events: 'session.*', since: start }));
    const during = await ingesting;
    const after = [await submit(), await submit()];
    const expected = [...before, ...during, ...after];
    await expect.poll(() => ids(c).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(expected.length);
    await new Promise((r) => setTimeout(r, 200));
    expect(new Set(ids(c)).size).toBe(ids(c).length); // no duplicate
    expect([...ids(c)].sort()).toEqual([...expected].sort()); // no gap, nothing from before `since`
    expect(ids(c).slice(0, 3)).toEqual(before); // stored events come in order, first
    c.ws.close();
  });

  it('replays since an ISO time', async () => {
    rt.clock.advance(60_000);
    const since = rt.clock.now().toISOString();
    rt.clock.advance(1000);
    const e = await submit();
    const c = await rawClient(server.wsUrl, basicHeader(seed));
    c.send(subscribeFrame({ events: '*', since }));
    await expect.poll(() => ids(c)).toEqual([e]);
    c.ws.close();
  });

  it('redelivers unacknowledged events after a disconnect, then only new ones', async () => {
    const sub = subscribeFrame({ events: 'session.*', ack: true, name: 'back-office' });
    const first = await rawClient(server.wsUrl, basicHeader(seed));
    first.send(sub);
    await expect.poll(() => first.frames.some((f) => f.type === 'confirm_subscription')).toBe(true);
    const [a, b, c3] = [await submit(), await submit(), await submit()];
    await expect.poll(() => ids(first)).toEqual([a, b, c3]);
    first.send({ command: 'message', identifier: sub.identifier, data: JSON.stringify({ action: 'ack', id: a }) });
    await expect.poll(() => ackedEvent('back-office')).toBe(a);
    first.ws.close();
    await first.closed;
    const d = await submit(); // arrives while offline

    const second = await rawClient(server.wsUrl, basicHeader(seed));
    second.send(sub);
    await expect.poll(() => ids(second)).toEqual([b, c3, d]);
    second.send({ command: 'message', identifier: sub.identifier, data: JSON.stringify({ action: 'ack', id: d }) });
    await expect.poll(() => ackedEvent('back-office')).toBe(d);
    second.send({ command: 'message', identifier: sub.identifier, data: JSON.stringify({ action: 'ack', id: b }) }); // never moves back
    await new Promise((r) => setTimeout(r, 200));
    expect(await ackedEvent('back-office')).toBe(d);
    second.ws.close();
    await second.closed;

    const third = await rawClient(server.wsUrl, basicHeader(seed));
    third.send(sub);
    const e = await submit();
    await expect.poll(() => ids(third)).toEqual([e]);
    third.ws.close();
  });

  it('a client that stops reading is disconnected with reconnect:true and resumes from its acknowledged position', async () => {
    const sub = subscribeFrame({ events: 'session.*', ack: true, name: 'slow' });
    const slow = await rawClient(server.wsUrl, basicHeader(seed));
    slow.send(sub);
    await expect.poll(() => slow.frames.some((f) => f.type === 'confirm_subscription')).toBe(true);
    (slow.ws as any)._socket.pause(); // stop reading: once the kernel's buffers fill, the server's grows
    // Enough events to fill loopback socket buffers, written straight to the table for speed.
    const { rows } = await rt.db.query<{ id: string }>(
      `INSERT INTO events (id, type, team, flow, session_id, payload, created_at)
       SELECT 'evt_bulk_' || lpad(g::text, 6, '0'), 'session.submitted', 'lambeth', 'ldc', 'bulk-' || g, jsonb_build_object('id', 'bulk-' || g), now()
       FROM generate_series(1, 20000) g RETURNING id`);
    const sent = rows.map((r) => r.id);
    await new Promise((r) => setTimeout(r, 1500));
    (slow.ws as any)._socket.resume();
    await slow.closed; // the server hung up: the disconnect frame sits behind what the client never read
    expect(ids(slow).length).toBeLessThan(sent.length);
    const last = slow.frames.at(-1);
    if (last.type) expect(last).toEqual({ type: 'disconnect', reason: 'slow_consumer', reconnect: true });

    const back = await rawClient(server.wsUrl, basicHeader(seed));
    back.send(sub);
    await expect.poll(() => ids(back).length, { timeout: 20_000 }).toBe(sent.length); // nothing acked: everything again
    expect(ids(back)).toEqual(sent);
    back.ws.close();
  });
});

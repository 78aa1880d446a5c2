import { createLogger, createDb, systemClock, startWebhookWorker, type Db } from '@switchboard/runtime';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { startSink, type Behaviour, type Sink } from '../support/webhook-sink.ts';

let rt: TestRuntime;
let workerDb: Db;
let worker: { stop(): Promise<void> };
let lambeth: Awaited<ReturnType<typeof seedTeam>>;
const sinks: Sink[] = [];

beforeAll(async () => {
  rt = await startTestRuntime({
    WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', WEBHOOK_TIMEOUT: '700ms',
    WEBHOOK_POLL: '100ms', WEBHOOK_LEASE: '2s', WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '4',
  });
  lambeth = await seedTeam(rt, 'lambeth', 'ldc', 'bops');
  await seedTeam(rt, 'southwark', 'ldc', 'uniform');
  workerDb = createDb(rt.databaseUrl, { max: 5 });
  worker = await startWebhookWorker({ db: workerDb, config: rt.deps.config, clock: systemClock, log: createLogger('silent'), databaseUrl: rt.databaseUrl });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all(sinks.map((s) => s.close()));
  await workerDb?.close();
  await rt?.close();
});

async function sink(b?: Behaviour) {
  const s = await startSink(b);
  sinks.push(s);
  return s;
}

async function webhook(url: string, body: Record<string, unknown> = {}, grant: { team: string; flow: string } | null = { team: 'lambeth', flow: 'ldc' }) {
  const r = await rt.call('POST', '/v1/webhooks', { body: { team: 'lambeth', url, eventTypes: ['session.*'], ...body } });
  expect(r.status, r.text).toBe(201);
  if (grant) {
    const g = await rt.call('POST', `/v1/teams/${grant.team}/flows/${grant.flow}/grants`, { body: { destinationKind: 'webhook', destination: r.json.webhook.id } });
    expect(g.status).toBe(201);
  }
  return { id: r.json.webhook.id as string, secret: r.json.secret as string };
}

let n = 0;
async function submit(team = 'lambeth', flow = 'ldc', producer = lambeth.producer) {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const r = await rt.call('POST', '/v1/sessions', { auth: producer, body: { id, team, flow, paymentId: `pay-${n}`, data: { passport: { data: { 'applicant.name.first': 'Ada' } } } } });
  expect(r.status, r.text).toBe(201);
  return { sessionId: id, eventId: r.json.eventId as string };
}

const headersOf = (h: Record<string, unknown>) => ({ 'webhook-id': String(h['webhook-id']), 'webhook-timestamp': String(h['webhook-timestamp']), 'webhook-signature': String(h['webhook-signature']) });

async function attempts(webhookId: string) {
  const r = await rt.call('GET', `/v1/webhooks/${webhookId}/attempts?limit=500`);
  return (r.json.attempts as any[]).reverse();
}

describe('webhook delivery', () => {
  it('delivers the light notification, signed so the official and the svix verifiers both accept it', async () => {
    const s = await sink();
    const wh = await webhook(s.url, { config: { system: 'bops' } });
    const { sessionId, eventId } = await submit();
    await expect.poll(() => s.received.length, { timeout: 10_000 }).toBe(1);
    const got = s.received[0]!;
    expect(JSON.parse(got.body)).toEqual({ id: sessionId, team: 'lambeth', flow: 'ldc', paymentID: `pay-${n}`, config: { system: 'bops' }, type: 'session.submitted', timestamp: expect.any(String) });
    expect(got.body).not.toContain('Ada');
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(new StandardWebhook(wh.secret).verify(got.body, headersOf(got.headers))).toMatchObject({ id: sessionId });
    expect(() => new SvixWebhook(wh.secret).verify(got.body, headersOf(got.headers))).not.toThrow();
    expect(() => new StandardWebhook(wh.secret).verify(got.body.replace('ldc', 'ldx'), headersOf(got.headers))).toThrow();
    await expect.poll(async () => (await rt.call('GET', `/v1/events/${eventId}/attempts`)).json.attempts.length).toBe(1);
    const ev = await rt.call('GET', '/v1/events?team=lambeth&limit=1');
    expect(ev.json.events[0]).toMatchObject({ id: eventId, deliveries: [{ webhookId: wh.id, status: 'succeeded', attempts: 1, lastStatus: 204 }] });
  });

  it('delivers nothing without a grant, nothing of another team, and only where the team variables hold', async () => {
    const ungranted = await sink();
    await webhook(ungranted.url, {}, null);
    const other = await sink();
    await webhook(other.url, { team: 'southwark' }, { team: 'southwark', flow: 'ldc' });
    const wrongVars = await sink();
    await webhook(wrongVars.url, { teamVariables: { backOffice: 'uniform' } });
    const rightVars = await sink();
    await webhook(rightVars.url, { teamVariables: { backOffice: 'bops' } });
    const allTeams = await sink();
    const all = await webhook(allTeams.url, { team: '*' });
    await rt.call('POST', '/v1/teams/southwark/flows/ldc/grants', { body: { destinationKind: 'webhook', destination: all.id } });
    await submit();
    await expect.poll(() => rightVars.received.length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => allTeams.received.length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(ungranted.received.length).toBe(0);
    expect(other.received.length).toBe(0);
    expect(wrongVars.received.length).toBe(0);
    expect(JSON.parse(allTeams.received[0]!.body).team).toBe('lambeth');
  });

  it('retries failures on its schedule with the same webhook-id and body, recording each attempt', async () => {
    const s = await sink((i) => (i <= 2 ? { status: i === 1 ? 500 : 302, headers: { location: 'http://127.0.0.1:1/' }, body: 'x'.repeat(5000) } : { status: 200, body: 'ok' }));
    const wh = await webhook(s.url);
    await submit();
    await expect.poll(() => s.received.length, { timeout: 10_000 }).toBe(3);
    expect(new Set(s.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(s.received.map((r) => r.body)).size).toBe(1);
    for (const r of s.received) expect(() => new SvixWebhook(wh.secret).verify(r.body, headersOf(r.headers))).not.toThrow();
    // Timing classes only: at least the scheduled delay (less 10 % jitter), never "immediately".
    expect(s.received[1]!.at - s.received[0]!.at).toBeGreaterThanOrEqual(40);
    expect(s.received[2]!.at - s.received[1]!.at).toBeGreaterThanOrEqual(85);
    await expect.poll(async () => (await attempts(wh.id)).length).toBe(3);
    const a = await attempts(wh.id);
    expect(a.map((x) => [x.attempt, x.outcome, x.status, x.errorClass])).toEqual([[1, 'failed', 500, 'http_status'], [2, 'failed', 302, 'http_status'], [3, 'succeeded', 200, null]]);
    expect(a[0].body.length).toBe(4096);
    expect(a[2].body).toBe('ok');
    expect(a[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('classifies timeouts and dropped sockets, and marks the delivery failed after the last attempt', async () => {
    const hang = await sink(() => 'hang');
    const hangHook = await webhook(hang.url);
    const close = await sink(() => 'close');
    const closeHook = await webhook(close.url);
    await submit();
    await expect.poll(async () => (await attempts(closeHook.id)).length, { timeout: 10_000 }).toBe(3);
    await expect.poll(async () => (await attempts(hangHook.id)).length, { timeout: 15_000 }).toBe(3);
    expect((await attempts(closeHook.id)).map((a) => a.errorClass)).toEqual(['connection_reset', 'connection_reset', 'connection_reset']);
    const timed = await attempts(hangHook.id);
    expect(timed.map((a) => a.errorClass)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(timed[0].durationMs).toBeGreaterThanOrEqual(600);
    const d = await rt.call('GET', `/v1/webhooks/${closeHook.id}/deliveries?status=failed`);
    expect(d.json.deliveries).toHaveLength(1);
    expect(d.json.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('honours Retry-After on 429', async () => {
    const s = await sink((i) => (i === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }));
    await webhook(s.url);
    await submit();
    await expect.poll(() => s.received.length, { timeout: 10_000 }).toBe(2);
    expect(s.received[1]!.at - s.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries one delivery, and replays failed ones in bulk with progress, under the same webhook-id', async () => {
    let healthy = false;
    const s = await sink(() => (healthy ? { status: 204 } : { status: 503 }));
    const wh = await webhook(s.url);
    const before = new Date(Date.now() - 1000).toISOString();
    await submit();
    await submit();
    await expect.poll(async () => (await rt.call('GET', `/v1/webhooks/${wh.id}/deliveries?status=failed`)).json.deliveries.length, { timeout: 10_000 }).toBe(2).catch(async (e) => {
      console.log(JSON.stringify((await rt.call('GET', `/v1/webhooks/${wh.id}/deliveries`)).json), s.received.length);
      throw e;
    });
    healthy = true;
    const [first, second] = (await rt.call('GET', `/v1/webhooks/${wh.id}/deliveries?status=failed`)).json.deliveries;
    const retried = await rt.call('POST', `/v1/webhook-deliveries/${first.id}/retry`);
    expect(retried.status).toBe(202);
    await expect.poll(() => s.received.filter((r) => r.headers['webhook-id'] === first.id).length, { timeout: 10_000 }).toBe(4);
    const replay = await rt.call('POST', `/v1/webhooks/${wh.id}/replays`, { body: { since: before } });
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ status: 'queued', total: 1 });
    await expect.poll(async () => (await rt.call('GET', `/v1/webhooks/${wh.id}/replays/${replay.json.id}`)).json.status, { timeout: 10_000 }).toBe('done');
    expect((await rt.call('GET', `/v1/webhooks/${wh.id}/replays/${replay.json.id}`)).json.replayed).toBe(1);
    await expect.poll(() => s.received.filter((r) => r.headers['webhook-id'] === second.id).length, { timeout: 10_000 }).toBe(4);
    await expect.poll(async () => (await rt.call('GET', `/v1/webhooks/${wh.id}/deliveries?status=succeeded`)).json.deliveries.length).toBe(2);
  });

  it('disables an endpoint that answers 410 Gone at once, raising webhook.disabled', async () => {
    const ops = await sink();
    const watcher = await webhook(ops.url, { team: '*', eventTypes: ['webhook.*'] }, null);
    const gone = await sink(() => ({ status: 410 }));
    const wh = await webhook(gone.url);
    await submit();
    await expect.poll(async () => (await rt.call('GET', `/v1/webhooks/${wh.id}`)).json.enabled, { timeout: 10_000 }).toBe(false);
    expect(gone.received.length).toBe(1);
    expect((await rt.call('GET', `/v1/webhooks/${wh.id}`)).json.disabledReason).toMatch(/410/);
    const events = await rt.call('GET', '/v1/events?type=webhook.disabled');
    expect(events.json.events.map((e: any) => e.type)).toContain('webhook.disabled');
    await expect.poll(() => ops.received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const note = ops.received.map((r) => JSON.parse(r.body)).find((b) => b.id === wh.id);
    expect(note).toMatchObject({ id: wh.id, team: 'lambeth', type: 'webhook.disabled', reason: expect.stringMatching(/410/) });
    expect(() => new StandardWebhook(watcher.secret).verify(ops.received[0]!.body, headersOf(ops.received[0]!.headers))).not.toThrow();
    // Re-enabling is explicit.
    const re = await rt.call('PATCH', `/v1/webhooks/${wh.id}`, { body: { enabled: true } });
    expect(re.json).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('signs with both secrets during a rotation overlap', async () => {
    const s = await sink();
    const wh = await webhook(s.url);
    const rotated = await rt.call('POST', `/v1/webhooks/${wh.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(wh.secret);
    await submit();
    await expect.poll(() => s.received.length, { timeout: 10_000 }).toBe(1);
    const got = s.received[0]!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [wh.secret, fresh]) {
      expect(() => new StandardWebhook(secret).verify(got.body, headersOf(got.headers))).not.toThrow();
      expect(() => new SvixWebhook(secret).verify(got.body, headersOf(got.headers))).not.toThrow();
    }
  });

  it('keeps a slow endpoint to its in-flight limit while a healthy one is served', async () => {
    const slow = await sink(() => ({ status: 204, delayMs: 400 }));
    await webhook(slow.url);
    const fast = await sink();
    await webhook(fast.url);
    for (let i = 0; i < 12; i++) await submit();
    await expect.poll(() => fast.received.length, { timeout: 10_000 }).toBe(12);
    expect(slow.received.length).toBeLessThan(12);
    await expect.poll(() => slow.received.length, { timeout: 15_000 }).toBe(12);
    expect(slow.maxInFlight()).toBeLessThanOrEqual(4);
  });

  it('test-sends at once and answers with the attempt', async () => {
    const s = await sink(() => ({ status: 200, body: 'hello' }));
    const wh = await webhook(s.url);
    const r = await rt.call('POST', `/v1/webhooks/${wh.id}/test`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ outcome: 'succeeded', status: 200, body: 'hello', eventType: 'webhook.test' });
    expect(JSON.parse(s.received[0]!.body)).toMatchObject({ type: 'webhook.test', team: 'lambeth' });
    expect(() => new StandardWebhook(wh.secret).verify(s.received[0]!.body, headersOf(s.received[0]!.headers))).not.toThrow();
    expect((await attempts(wh.id)).map((a) => a.eventType)).toEqual(['webhook.test']);
  });
});

describe('webhook administration', () => {
  it.each([
    ['ftp://example.org/x', /http/],
    ['https://user:pw@example.org/x', /credentials/],
    ['http://169.254.169.254/latest/meta-data', /private|reserved/],
    ['http://10.1.2.3/hook', /private|reserved/],
    ['http://[::1]/hook', /private|reserved/],
    ['not a url', /valid URL/],
  ])('refuses %s with a 422 naming body.url', async (url, message) => {
    const r = await rt.call('POST', '/v1/webhooks', { body: { team: 'lambeth', url } });
    expect(r.status).toBe(422);
    expect(r.json.fields[0]).toMatchObject({ path: 'body.url', message: expect.stringMatching(message) });
  });

  it('shows the secret once and never again', async () => {
    const wh = await webhook('http://127.0.0.1:9/hook', {}, null);
    const got = await rt.call('GET', `/v1/webhooks/${wh.id}`);
    expect(got.text).not.toContain(wh.secret);
    const stored = await rt.db.query<{ secret_enc: string }>('SELECT secret_enc FROM webhooks WHERE id = $1', [wh.id]);
    expect(stored.rows[0]!.secret_enc).not.toContain(wh.secret.slice(6));
  });

  it("lets a team admin manage its own team's webhooks only", async () => {
    const token = await rt.call('POST', '/v1/teams/southwark/admin-tokens', { body: {} });
    expect(token.status, token.text).toBe(201);
    const auth = { bearer: token.json.token as string };
    const theirs = await webhook('http://127.0.0.1:9/hook', {}, null);
    expect((await rt.call('GET', `/v1/webhooks/${theirs.id}`, { auth })).status).toBe(404);
    expect((await rt.call('POST', '/v1/webhooks', { auth, body: { team: 'lambeth', url: 'http://127.0.0.1:9/x' } })).status).toBe(404);
    expect((await rt.call('POST', '/v1/webhooks', { auth, body: { team: '*', url: 'http://127.0.0.1:9/x' } })).status).toBe(403);
    const own = await rt.call('POST', '/v1/webhooks', { auth, body: { team: 'southwark', url: 'http://127.0.0.1:9/x' } });
    expect(own.status).toBe(201);
    const listed = await rt.call('GET', '/v1/webhooks', { auth });
    expect(listed.json.webhooks.length).toBeGreaterThan(0);
    expect(new Set(listed.json.webhooks.map((w: any) => w.team))).toEqual(new Set(['southwark']));
    expect((await rt.call('GET', `/v1/webhooks/${theirs.id}/attempts`, { auth })).status).toBe(404);
    expect((await rt.call('DELETE', `/v1/webhooks/${own.json.webhook.id}`, { auth })).status).toBe(204);
  });
});

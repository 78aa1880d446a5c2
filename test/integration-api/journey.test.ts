import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  rt = await startTestRuntime();
  seed = await seedTeam(rt);
});
afterAll(() => rt.close());

const submit = (id: string, extra: Record<string, unknown> = {}) =>
  rt.call('POST', '/v1/sessions', { auth: seed.producer, body: { id, team: seed.team, flow: seed.flow, paymentId: 'pay-1', data: { passport: { data: { name: 'Ada' } } }, ...extra } });

const auditFor = async (sessionId: string) => (await rt.call('GET', `/v1/audit?session=${sessionId}`)).json.entries as any[];

describe('the journey: team → flow → grant → credentials → ingest → pull → audit', () => {
  it('a granted consumer pulls what the producer submitted, and both accesses are audited', async () => {
    const submitted = await submit('journey-1');
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ duplicate: false, session: { id: 'journey-1', team: 'lambeth', flow: 'ldc', paymentId: 'pay-1' } });
    expect(submitted.json.eventId).toMatch(/^evt_/);

    const pulled = await rt.call('GET', '/v1/sessions/journey-1', { auth: seed.consumer });
    expect(pulled.status).toBe(200);
    expect(pulled.json.data).toEqual({ passport: { data: { name: 'Ada' } } });
    expect(pulled.json.firstRetrievedAt).toBe(rt.clock.now().toISOString());

    const listed = await rt.call('GET', '/v1/sessions?flow=ldc', { auth: seed.consumer });
    expect(listed.json.sessions.map((s: any) => s.id)).toContain('journey-1');

    const audit = await auditFor('journey-1');
    expect(audit.map((a) => [a.method, a.route, a.status, a.actorId, a.platform, a.team])).toEqual([
      ['GET', '/v1/sessions/{id}', 200, seed.consumerId, 'bops', 'lambeth'],
      ['POST', '/v1/sessions', 201, seed.producerId, 'planx', 'lambeth'],
    ]);
  });

  it('the event is stored with the session, as the light notification', async () => {
    await submit('journey-event');
    const { rows } = await rt.db.query(`SELECT type, team, flow, payload FROM events WHERE session_id = 'journey-event'`);
    expect(rows).toEqual([{ type: 'session.submitted', team: 'lambeth', flow: 'ldc', payload: { id: 'journey-event', team: 'lambeth', flow: 'ldc', paymentID: 'pay-1' } }]);
  });

  it('carries the request id from the caller into the response and the audit row', async () => {
    await submit('journey-rid');
    const res = await rt.call('GET', '/v1/sessions/journey-rid', { auth: seed.consumer, headers: { 'x-request-id': 'trace-abc-12345' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-12345');
    expect((await auditFor('journey-rid'))[0].requestId).toBe('trace-abc-12345');
    const bad = await rt.call('GET', '/healthz', { headers: { 'x-request-id': 'no spaces allowed' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('grants', () => {
  it('pull of an ungranted flow is 403 not_granted and audited', async () => {
    await rt.call('POST', `/v1/teams/${seed.team}/flows`, { body: { slug: 'secret-flow', name: 'Not granted' } });
    await submit('ungranted-1', { flow: 'secret-flow' });
    const res = await rt.call('GET', '/v1/sessions/ungranted-1', { auth: seed.consumer });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.json).toMatchObject({ status: 403, code: 'not_granted' });
    const audit = await auditFor('ungranted-1');
    expect(audit[0]).toMatchObject({ status: 403, code: 'not_granted', actorId: seed.consumerId, team: 'lambeth' });
    const listed = await rt.call('GET', '/v1/sessions', { auth: seed.consumer });
    expect(listed.json.sessions.map((s: any) => s.id)).not.toContain('ungranted-1');
  });

  it('withdrawing a grant shuts the platform out again', async () => {
    await rt.call('POST', `/v1/teams/${seed.team}/flows`, { body: { slug: 'brief', name: 'Briefly granted' } });
    await rt.call('POST', `/v1/teams/${seed.team}/flows/brief/grants`, { body: { destination: 'bops' } });
    await submit('brief-1', { flow: 'brief' });
    expect((await rt.call('GET', '/v1/sessions/brief-1', { auth: seed.consumer })).status).toBe(200);
    expect((await rt.call('DELETE', `/v1/teams/${seed.team}/flows/brief/grants/platform/bops`)).status).toBe(204);
    expect((await rt.call('GET', '/v1/sessions/brief-1', { auth: seed.consumer })).status).toBe(403);
  });

  it("another team's consumer cannot tell the session exists", async () => {
    const other = await seedTeam(rt, 'southwark', 'ldc', 'bops');
    await submit('team-a-only');
    const res = await rt.call('GET', '/v1/sessions/team-a-only', { auth: other.consumer });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('session_not_found');
  });
});

describe('credentials', () => {
  it('a key from another environment is refused with wrong_environment', async () => {
    const key = seed.consumer.basic.key.replace('sbk_test_', 'sbk_production_');
    const res = await rt.call('GET', '/v1/sessions', { auth: { basic: { key, secret: seed.consumer.basic.secret } } });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('wrong_environment');
  });

  it('a wrong secret, a missing header and a producer reading are all refused', async () => {
    expect((await rt.call('GET', '/v1/sessions', { auth: { basic: { key: seed.consumer.basic.key, secret: 'sbs_wrong' } } })).json.code).toBe('unauthenticated');
    const none = await rt.call('GET', '/v1/sessions', { auth: { none: true } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const producerReading = await rt.call('GET', '/v1/sessions', { auth: seed.producer });
    expect(producerReading.status).toBe(403);
    expect(producerReading.json.code).toBe('insufficient_scope');
  });

  it('the secret is never stored or listed in clear', async () => {
    const { rows } = await rt.db.query(`SELECT secret_hash FROM credentials WHERE id = $1`, [seed.consumerId]);
    expect(rows[0]!.secret_hash).not.toContain(seed.consumer.basic.secret);
    const listed = await rt.call('GET', '/v1/credentials');
    expect(listed.text).not.toContain(seed.consumer.basic.secret);
    expect(listed.text).not.toContain('secret_hash');
  });

  it('a revoked credential stops working within a second', async () => {
    const c = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: [seed.team] } });
    const auth = { basic: { key: c.json.credential.key, secret: c.json.secret } };
    expect((await rt.call('GET', '/v1/sessions', { auth })).status).toBe(200);
    const revoked = await rt.call('POST', `/v1/credentials/${c.json.credential.id}/revoke`);
    expect(revoked.json.revokedAt).not.toBeNull();
    await expect.poll(async () => (await rt.call('GET', '/v1/sessions', { auth })).status, { timeout: 2500, interval: 100 }).toBe(401);
  });

  it('after rotation both secrets work during the overlap, then only the new one', async () => {
    const c = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: [seed.team] } });
    const old = { basic: { key: c.json.credential.key, secret: c.json.secret } };
    const rotated = await rt.call('POST', `/v1/credentials/${c.json.credential.id}/rotate`, { body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const fresh = { basic: { key: c.json.credential.key, secret: rotated.json.secret } };
    await new Promise((r) => setTimeout(r, 1100)); // past the verifier's 1 s cache
    expect((await rt.call('GET', '/v1/sessions', { auth: old })).status).toBe(200);
    expect((await rt.call('GET', '/v1/sessions', { auth: fresh })).status).toBe(200);
    rt.clock.advance(61_000);
    expect((await rt.call('GET', '/v1/sessions', { auth: old })).status).toBe(401);
    expect((await rt.call('GET', '/v1/sessions', { auth: fresh })).status).toBe(200);
  });

  it('a producer credential can serve many teams, and only those', async () => {
    await rt.call('POST', '/v1/teams', { body: { slug: 'camden', name: 'Camden' } });
    const multi = await rt.call('POST', '/v1/credentials', { body: { kind: 'producer', platform: 'planx', teams: ['lambeth', 'camden'] } });
    expect(multi.status).toBe(201);
    const auth = { basic: { key: multi.json.credential.key, secret: multi.json.secret } };
    const body = (team: string, id: string) => ({ id, team, flow: 'intake', data: {} });
    expect((await rt.call('POST', '/v1/sessions', { auth, body: body('lambeth', 'multi-1') })).status).toBe(201);
    expect((await rt.call('POST', '/v1/sessions', { auth, body: body('camden', 'multi-2') })).status).toBe(201);
    const refused = await rt.call('POST', '/v1/sessions', { auth, body: body('southwark', 'multi-3') });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('forbidden');
  });
});

describe('idempotent ingest', () => {
  it('twenty concurrent submissions of one id make one session and one event', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => submit('dup-1')));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(results.map((r) => r.json.eventId)).size).toBe(1);
    const { rows } = await rt.db.query(`SELECT (SELECT count(*) FROM sessions WHERE id = 'dup-1')::int AS s, (SELECT count(*) FROM events WHERE session_id = 'dup-1')::int AS e`);
    expect(rows[0]).toEqual({ s: 1, e: 1 });
  });

  it('the same id for another flow is a 409 session_id_conflict', async () => {
    await submit('dup-2');
    const res = await submit('dup-2', { flow: 'other-flow' });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('session_id_conflict');
  });
});

describe('logs', () => {
  it('log one line per request with the response request id, and no secret', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../runtime/src/log.ts');
    const { createApp } = await import('../../runtime/src/api/app.ts');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = createApp({ ...rt.deps, log: createLogger('info', sink) });
    const auth = `Basic ${Buffer.from(`${seed.consumer.basic.key}:${seed.consumer.basic.secret}`).toString('base64')}`;
    const res = await app.request('/v1/sessions/journey-1', { headers: { authorization: auth, 'x-request-id': 'log-check-0001' } });
    expect(res.status).toBe(200);
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(entry).toMatchObject({ requestId: 'log-check-0001', method: 'GET', route: '/v1/sessions/{id}', status: 200, actor: seed.consumerId });
    const all = lines.join('\n');
    expect(all).not.toContain(seed.consumer.basic.secret);
    expect(all).not.toContain('Ada'); // session data
  });
});

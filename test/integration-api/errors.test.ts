import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  rt = await startTestRuntime({ MAX_SESSION_BYTES: '2048', RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '5' });
  seed = await seedTeam(rt);
});
afterAll(() => rt.close());

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.json).toMatchObject({ status, code, type: expect.stringContaining('/problems/'), title: expect.any(String), requestId: expect.any(String) });
  expect(JSON.stringify(res.json)).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
}

describe('every 4xx class answers problem+json with a stable code', () => {
  it('400 malformed_json', async () => {
    expectProblem(await rt.call('POST', '/v1/teams', { body: '{"slug":' }), 400, 'malformed_json');
  });

  it('401 unauthenticated', async () => {
    expectProblem(await rt.call('GET', '/v1/teams', { auth: { none: true } }), 401, 'unauthenticated');
  });

  it('403 insufficient_scope', async () => {
    expectProblem(await rt.call('POST', '/v1/sessions', { auth: seed.consumer, body: { id: 'x', team: 'lambeth', flow: 'ldc', data: {} } }), 403, 'insufficient_scope');
  });

  it('404 not_found for an unknown route', async () => {
    expectProblem(await rt.call('GET', '/v1/nothing-here'), 404, 'not_found');
  });

  it('409 conflict for a duplicate team', async () => {
    expectProblem(await rt.call('POST', '/v1/teams', { body: { slug: 'lambeth', name: 'Again' } }), 409, 'conflict');
  });

  it('413 payload_too_large past the configured session size', async () => {
    const big = { id: 'big', team: 'lambeth', flow: 'ldc', data: { blob: 'x'.repeat(4096) } };
    expectProblem(await rt.call('POST', '/v1/sessions', { auth: seed.producer, body: big }), 413, 'payload_too_large');
  });

  it('415 for a body that cannot be JSON', async () => {
    expectProblem(await rt.call('POST', '/v1/teams', { body: '<team/>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type');
  });

  it('422 validation_failed names each offending field', async () => {
    const res = await rt.call('POST', '/v1/teams', { body: { slug: 'Bad Slug!', name: '', variables: { 'not a key': 1 } } });
    expectProblem(res, 422, 'validation_failed');
    const paths = res.json.fields.map((f: any) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.slug', 'body.name']));
    expect(paths.some((p: string) => p.startsWith('body.variables'))).toBe(true);
    const query = await rt.call('GET', '/v1/audit?limit=0');
    expectProblem(query, 422, 'validation_failed');
    expect(query.json.fields[0].path).toBe('query.limit');
    const cred = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: ['lambeth', 'southwark'], scopes: ['sessions:write'] } });
    expect(cred.json.fields.map((f: any) => f.path)).toEqual(expect.arrayContaining(['body.scopes.0', 'body.teams']));
    const unknownTeam = await rt.call('POST', '/v1/credentials', { body: { kind: 'producer', platform: 'planx', teams: ['lambeth', 'atlantis'] } });
    expect(unknownTeam.json.fields).toEqual([{ path: 'body.teams.1', message: 'no team "atlantis"', code: 'unknown_team' }]);
  });

  it('429 rate_limited with Retry-After, per credential', async () => {
    const c = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: ['lambeth'] } });
    const auth = { basic: { key: c.json.credential.key, secret: c.json.secret } };
    // A burst of 5 then 1/s: of 8 requests at once, 5 (6 on a slow machine) pass and the rest wait.
    const results = await Promise.all(Array.from({ length: 8 }, () => rt.call('GET', '/v1/sessions', { auth })));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(6);
    const limited = results.find((r) => r.status === 429)!;
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await rt.call('GET', '/v1/sessions', { auth: seed.consumer })).status).toBe(200); // others unaffected
  });

  it('410 session_expired is covered by the retention tests; health endpoints answer', async () => {
    expect((await rt.call('GET', '/healthz', { auth: { none: true } })).json).toEqual({ status: 'ok' });
    expect((await rt.call('GET', '/readyz', { auth: { none: true } })).json).toEqual({ status: 'ready' });
  });
});

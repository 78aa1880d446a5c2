import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../runtime/src/api/routes/index.ts';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  rt = await startTestRuntime({ RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000' });
  seed = await seedTeam(rt);
});
afterAll(() => rt.close());

const withBody = routes.filter((r) => r.body);
const segment = fc.oneof(fc.string(), fc.constantFrom('lambeth', 'ldc', 'bops', '..', '%00', 'platform'));

describe('random input at the edges never yields a 500', () => {
  it('random JSON bodies to every route that takes one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withBody), fc.jsonValue(), fc.constantFrom('admin', 'producer'), async (route, body, who) => {
        const path = route.path.replace(/\{\w+\}/g, 'lambeth');
        const auth = who === 'admin' ? { bearer: rt.adminToken } : seed.producer;
        const res = await rt.call(route.method.toUpperCase(), path, { auth, body: JSON.stringify(body) });
        expect(res.status, `${route.method} ${path} ${JSON.stringify(body)} → ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.json.code).toEqual(expect.any(String));
      }),
      { numRuns: 300 },
    );
  });

  it('random near-valid session submissions', async () => {
    const submission = fc.record({
      id: fc.oneof(fc.string(), fc.uuid()), team: fc.oneof(fc.constant('lambeth'), fc.string()), flow: fc.oneof(fc.constant('ldc'), fc.string()),
      paymentId: fc.option(fc.string(), { nil: undefined }), data: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
      files: fc.option(fc.array(fc.jsonValue()), { nil: undefined }),
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(submission, async (body) => {
        const res = await rt.call('POST', '/v1/sessions', { auth: seed.producer, body });
        expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('random path segments and query strings on the read routes', async () => {
    await fc.assert(
      fc.asyncProperty(segment, fc.dictionary(fc.constantFrom('flow', 'since', 'cursor', 'limit', 'team', 'status', 'from', 'to', 'session'), fc.string()), async (id, query) => {
        const qs = new URLSearchParams(query).toString();
        for (const [path, auth] of [[`/v1/sessions/${encodeURIComponent(id)}`, seed.consumer], [`/v1/sessions?${qs}`, seed.consumer], [`/v1/audit?${qs}`, { bearer: rt.adminToken }], [`/v1/teams/${encodeURIComponent(id)}/flows`, { bearer: rt.adminToken }]] as const) {
          const res = await rt.call('GET', path, { auth });
          expect(res.status, `${path} → ${res.text}`).toBeLessThan(500);
        }
      }),
      { numRuns: 200 },
    );
  });
});

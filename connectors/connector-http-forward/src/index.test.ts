import { createHmac } from 'node:crypto';
import { testConnector } from '@switchboard/connector-sdk/testing';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url).pathname;
const secret = 'a-shared-secret-of-some-length';
const session = { id: 'sess-1', data: { passport: { data: { 'applicant.email': 'ada@example.com', 'applicant.name.first': 'Ada' } } } };

describe('connector-http-forward', () => {
  it('POSTs the session as JSON with a signature the endpoint can verify', async () => {
    const r = await testConnector(pkg, {
      session, config: (base) => ({ url: `${base}/hook`, secret }),
      routes: { 'POST /hook': { status: 204 } },
    });
    expect(r.status).toBe('success');
    expect(r.received).toHaveLength(1);
    const call = r.received[0]!;
    const [t, v1] = String(call.headers['x-switchboard-signature']).split(',').map((p) => p.split('=')[1]);
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${call.rawBody}`).digest('hex'));
    expect(call.body).toMatchObject({ id: 'sess-1', data: session.data });
    expect(r.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/hook', status: 204 })]);
  });

  it('sends only the configured fields when asked to', async () => {
    const r = await testConnector(pkg, {
      session, config: (base) => ({ url: `${base}/hook`, secret, fields: ['passport.data'] }),
      routes: { 'POST /hook': { status: 200 } },
    });
    expect(r.received[0]!.body.data).toEqual({ 'passport.data': session.data.passport.data });
  });

  it('reports failed when the endpoint answers with an error, so the run is retried', async () => {
    const r = await testConnector(pkg, { session, config: (base) => ({ url: `${base}/hook`, secret }), routes: { 'POST /hook': { status: 503 } } });
    expect(r.status).toBe('failed');
  });
});

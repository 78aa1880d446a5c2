import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConnector } from '@switchboard/connector-sdk/testing';

const pkg = new URL('..', import.meta.url).pathname;

test('sends the session to the configured endpoint with the API key', async () => {
  const r = await testConnector(pkg, {
    session: { id: 'session-1', data: { passport: { data: { 'applicant.email': 'ada@example.com' } } } },
    config: (baseUrl) => ({ endpoint: `${baseUrl}/sessions`, apiKey: 'test-key' }),
    routes: { 'POST /sessions': { status: 201, body: { ok: true } } },
  });
  assert.equal(r.status, 'success');
  assert.equal(r.received.length, 1);
  assert.equal(r.received[0].headers.authorization, 'Bearer test-key');
  assert.equal(r.received[0].body.id, 'session-1');
});

test('reports failed (retried later) when the endpoint is down', async () => {
  const r = await testConnector(pkg, {
    config: (baseUrl) => ({ endpoint: `${baseUrl}/sessions`, apiKey: 'test-key' }),
    routes: { 'POST /sessions': { status: 503 } },
  });
  assert.equal(r.status, 'failed');
});

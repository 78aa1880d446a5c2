import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../../../test/support/runtime.ts';
import { startSink } from '../../../test/support/webhook-sink.ts';
import { createSwitchboardClient, verifyWebhook, WebhookVerificationError } from './index.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
});
afterAll(async () => {
  await rt?.close();
});

// openapi-fetch calls fetch with a Request; the in-process app answers it.
const viaApp = async (request: Request) => rt.app.request(request);

describe('@switchboard/client', () => {
  it('pulls a session with the typed client, as a consumer would after a notification', async () => {
    const seeded = await seedTeam(rt);
    await rt.call('POST', '/v1/sessions', { auth: seeded.producer, body: { id: 'client-1', team: 'lambeth', flow: 'ldc', data: { passport: { data: { a: 1 } } } } });
    const sb = createSwitchboardClient({ baseUrl: 'http://switchboard.test', key: seeded.consumer.basic.key, secret: seeded.consumer.basic.secret, fetch: viaApp });
    const { data, error } = await sb.GET('/v1/sessions/{id}', { params: { path: { id: 'client-1' } } });
    expect(error).toBeUndefined();
    expect(data?.data).toEqual({ passport: { data: { a: 1 } } });
    const missing = await sb.GET('/v1/sessions/{id}', { params: { path: { id: 'nope' } } });
    expect(missing.response.status).toBe(404);
  });

  it('verifies a real delivery, and rejects a tampered or unsigned one', async () => {
    const sink = await startSink();
    try {
      const admin = createSwitchboardClient({ baseUrl: 'http://switchboard.test', token: rt.adminToken, fetch: viaApp });
      const created = await admin.POST('/v1/webhooks', { body: { team: 'lambeth', url: sink.url, config: { system: 'bops' } } });
      expect(created.response.status).toBe(201);
      const { webhook, secret } = created.data!;
      await admin.POST('/v1/webhooks/{id}/test', { params: { path: { id: webhook.id } } });
      const got = sink.received[0]!;
      expect(verifyWebhook(secret, got.body, got.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test', team: 'lambeth', config: { system: 'bops' } });
      expect(verifyWebhook(secret, Buffer.from(got.body), new Headers(got.headers as Record<string, string>)).type).toBe('webhook.test');
      expect(() => verifyWebhook(secret, got.body.replace('lambeth', 'southwark'), got.headers as Record<string, string>)).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(secret, got.body, {})).toThrow(WebhookVerificationError);
    } finally {
      await sink.close();
    }
  });

  it('was generated from the current OpenAPI document', async () => {
    const fresh = astToString(await openapiTS(new URL('../../../api-spec/openapi.yaml', import.meta.url), { defaultNonNullable: false }));
    const strip = (s: string) => s.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '').trim();
    expect(strip(readFileSync(here('./schema.ts'), 'utf8'))).toBe(strip(fresh));
  });

  it('builds to JavaScript that plain Node imports', () => {
    const root = here('..');
    execFileSync(process.execPath, [here('../../../node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    execFileSync(process.execPath, ['build.mjs'], { cwd: root });
    const out = execFileSync(process.execPath, ['--no-experimental-strip-types', '--input-type=module', '-e',
      `const m = await import(${JSON.stringify(here('../dist/index.js'))}); console.log(typeof m.createSwitchboardClient, typeof m.verifyWebhook)`], { encoding: 'utf8' });
    expect(out.trim()).toBe('function function');
  }, 60_000);
});

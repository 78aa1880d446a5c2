import { createDb, createLogger, startWebhookWorker, systemClock, type Db } from '@switchboard/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { startSink, type Sink } from '../support/webhook-sink.ts';

let rt: TestRuntime;
let workerDb: Db;
let worker: { stop(): Promise<void> };
let sink: Sink;

beforeAll(async () => {
  rt = await startTestRuntime({ WEBHOOK_RETRY_SCHEDULE: '0,100ms,100ms,100ms,100ms,100ms,100ms,100ms', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', WEBHOOK_POLL: '50ms', WEBHOOK_DISABLE_AFTER: '300ms' });
  workerDb = createDb(rt.databaseUrl, { max: 4 });
  worker = await startWebhookWorker({ db: workerDb, config: rt.deps.config, clock: systemClock, log: createLogger('silent'), databaseUrl: rt.databaseUrl });
  sink = await startSink(() => ({ status: 500 }));
});
afterAll(async () => {
  await worker?.stop();
  await sink?.close();
  await workerDb?.close();
  await rt?.close();
});

it('disables an endpoint failing continuously for longer than WEBHOOK_DISABLE_AFTER, with a webhook.disabled event', async () => {
  const seeded = await seedTeam(rt);
  const wh = await rt.call('POST', '/v1/webhooks', { body: { team: 'lambeth', url: sink.url } });
  await rt.call('POST', '/v1/teams/lambeth/flows/ldc/grants', { body: { destinationKind: 'webhook', destination: wh.json.webhook.id } });
  await rt.call('POST', '/v1/sessions', { auth: seeded.producer, body: { id: 'a0000000-0000-4000-8000-000000000001', team: 'lambeth', flow: 'ldc', data: {} } });
  await expect.poll(async () => (await rt.call('GET', `/v1/webhooks/${wh.json.webhook.id}`)).json.enabled, { timeout: 10_000 }).toBe(false);
  const got = (await rt.call('GET', `/v1/webhooks/${wh.json.webhook.id}`)).json;
  expect(got.disabledReason).toMatch(/failing continuously/);
  expect(got.failingSince).not.toBeNull();
  const events = await rt.call('GET', '/v1/events?type=webhook.disabled');
  expect(events.json.events).toHaveLength(1);
  expect(events.json.events[0]).toMatchObject({ team: 'lambeth', flow: null });
  // Disabled: the remaining retries are held, not sent.
  const seen = sink.received.length;
  await new Promise((r) => setTimeout(r, 400));
  expect(sink.received.length).toBe(seen);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeEvents, type SwitchboardEvent } from '../../packages/client/src/index.ts';
import { serveWithCable } from '../support/cable.ts';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  rt = await startTestRuntime();
  seed = await seedTeam(rt);
});
afterAll(() => rt.close());

let n = 0;
const submit = async () => (await rt.call('POST', '/v1/sessions', { auth: seed.producer, body: { id: `client-${++n}`, team: seed.team, flow: seed.flow, data: {} } })).json.eventId as string;

describe('@switchboard/client subscribeEvents', () => {
  it('receives events, acknowledges them, and fails over to another process without losing any', async () => {
    const first = await serveWithCable(rt);
    const second = await serveWithCable(rt);
    const received: SwitchboardEvent[] = [];
    const statuses: string[] = [];
    const sub = subscribeEvents({
      url: [first.url, second.url],
      credential: seed.consumer.basic,
      events: ['session.*'],
      ack: true,
      name: 'client-test',
      onEvent: (e) => void received.push(e),
      onStatus: (s) => void statuses.push(s),
    });
    await expect.poll(() => statuses).toContain('subscribed');
    const before = [await submit(), await submit()];
    await expect.poll(() => received.map((e) => e.id)).toEqual(before);
    expect(received[0]!.payload).toEqual({ id: 'client-1', team: 'lambeth', flow: 'ldc', paymentID: null });
    await expect.poll(async () => (await rt.db.query(`SELECT event_id FROM cable_positions WHERE name = 'client-test'`)).rows[0]?.event_id).toBe(before[1]);

    await first.close(); // tells the client to reconnect (server_restart), then stops
    const during = [await submit(), await submit()];
    await expect.poll(() => statuses.filter((s) => s === 'subscribed').length).toBe(2);
    const after = [await submit()];
    await expect.poll(() => received.map((e) => e.id)).toEqual([...before, ...during, ...after]);
    sub.close();
    await second.close();
  });

  it('without ack, resumes after the last event it saw', async () => {
    const server = await serveWithCable(rt);
    const received: string[] = [];
    const statuses: string[] = [];
    const start = await submit();
    const sub = subscribeEvents({ url: server.url, credential: seed.consumer.basic, events: ['session.submitted'], since: start, onEvent: (e) => void received.push(e.id), onStatus: (s) => void statuses.push(s) });
    const a = await submit();
    await expect.poll(() => received).toEqual([a]);
    sub.close();
    await server.close();
  });

  it('stops, reporting why, when the subscription is rejected', async () => {
    const server = await serveWithCable(rt);
    const errors: string[] = [];
    const sub = subscribeEvents({ url: server.url, credential: seed.consumer.basic, events: ['not a pattern!'], onEvent: () => {}, onError: (e) => void errors.push(e.message) });
    await expect.poll(() => errors).toEqual([expect.stringContaining('rejected')]);
    sub.close();
    await server.close();
  });
});

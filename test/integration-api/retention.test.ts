import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAudit, purgeSessions } from '../../runtime/src/domain/retention.ts';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const DAY = 86_400_000;
let rt: TestRuntime;
let seed: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  rt = await startTestRuntime();
  seed = await seedTeam(rt);
});
afterAll(() => rt.close());

const submit = (id: string) => rt.call('POST', '/v1/sessions', { auth: seed.producer, body: { id, team: seed.team, flow: seed.flow, data: { passport: { secret: 'personal' } } } });
const pull = (id: string) => rt.call('GET', `/v1/sessions/${id}`, { auth: seed.consumer });
const purge = () => purgeSessions(rt.db, rt.clock.now());

describe('retention', () => {
  it('purges 30 days after submission when never pulled, leaving a tombstone; a pull is then 410', async () => {
    await submit('never-pulled');
    rt.clock.advance(30 * DAY - 1000);
    await purge();
    expect((await pull('never-pulled')).status).toBe(200); // the pull shortens retention to 5 days from now
    await submit('never-pulled-2');
    rt.clock.advance(30 * DAY);
    expect(await purge()).toBeGreaterThanOrEqual(2);
    const gone = await pull('never-pulled-2');
    expect(gone.status).toBe(410);
    expect(gone.json.code).toBe('session_expired');
    const { rows } = await rt.db.query(`SELECT id, team, flow, data, submitted_at IS NOT NULL AS has_times, purged_at IS NOT NULL AS purged FROM sessions WHERE id = 'never-pulled-2'`);
    expect(rows).toEqual([{ id: 'never-pulled-2', team: 'lambeth', flow: 'ldc', data: null, has_times: true, purged: true }]);
  });

  it('purges 5 days after the first successful pull, not before', async () => {
    await submit('pulled-once');
    rt.clock.advance(DAY);
    expect((await pull('pulled-once')).status).toBe(200);
    rt.clock.advance(5 * DAY - 1000);
    await purge();
    expect((await pull('pulled-once')).status).toBe(200); // later pulls do not extend it
    rt.clock.advance(1000);
    await purge();
    expect((await pull('pulled-once')).status).toBe(410);
  });

  it('a refused pull does not count as a retrieval', async () => {
    await rt.call('POST', `/v1/teams/${seed.team}/flows`, { body: { slug: 'closed', name: 'Closed' } });
    await rt.call('POST', '/v1/sessions', { auth: seed.producer, body: { id: 'refused-pull', team: seed.team, flow: 'closed', data: {} } });
    expect((await pull('refused-pull')).status).toBe(403);
    const { rows } = await rt.db.query(`SELECT first_retrieved_at FROM sessions WHERE id = 'refused-pull'`);
    expect(rows[0]!.first_retrieved_at).toBeNull();
  });

  it('purging twice is harmless and audit rows outlive the data until their own limit', async () => {
    expect(await purge()).toBe(0);
    const before = (await rt.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE session_id = 'never-pulled-2'`)).rows[0]!.n;
    expect(before).toBeGreaterThan(0);
    expect(await purgeAudit(rt.db, rt.clock.now(), 365 * DAY)).toBe(0);
    rt.clock.advance(366 * DAY);
    expect(await purgeAudit(rt.db, rt.clock.now(), 365 * DAY)).toBeGreaterThan(0);
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0]!.n).toBe(0);
  });

  it('the audit log refuses updates', async () => {
    await pull('pulled-once');
    await expect(rt.db.query(`UPDATE audit_log SET status = 200`)).rejects.toThrow(/append-only/);
  });
});

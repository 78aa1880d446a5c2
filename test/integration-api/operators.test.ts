import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeam, startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let teamAdmin: { bearer: string };

beforeAll(async () => {
  rt = await startTestRuntime();
  await seedTeam(rt, 'lambeth');
  await seedTeam(rt, 'southwark');
  const issued = await rt.call('POST', '/v1/teams/lambeth/admin-tokens', { body: { description: 'lambeth admins' } });
  expect(issued.status).toBe(201);
  teamAdmin = { bearer: issued.json.token };
});
afterAll(() => rt.close());

describe('operator vs team admin', () => {
  it('a team admin manages its own team', async () => {
    expect((await rt.call('GET', '/v1/teams/lambeth', { auth: teamAdmin })).status).toBe(200);
    expect((await rt.call('PATCH', '/v1/teams/lambeth', { auth: teamAdmin, body: { variables: { backOffice: 'idox' } } })).json.variables).toEqual({ backOffice: 'idox' });
    expect((await rt.call('POST', '/v1/teams/lambeth/flows', { auth: teamAdmin, body: { slug: 'own', name: 'Own' } })).status).toBe(201);
    expect((await rt.call('POST', '/v1/credentials', { auth: teamAdmin, body: { kind: 'consumer', platform: 'idox', teams: ['lambeth'] } })).status).toBe(201);
  });

  it('a team admin touching another team gets the same 404 as for a team that does not exist', async () => {
    const other = await rt.call('GET', '/v1/teams/southwark', { auth: teamAdmin });
    const missing = await rt.call('GET', '/v1/teams/nowhere', { auth: teamAdmin });
    expect(other.status).toBe(404);
    expect(other.json.code).toBe('team_not_found');
    expect({ ...other.json, requestId: undefined, detail: undefined }).toEqual({ ...missing.json, requestId: undefined, detail: undefined });
    for (const [method, path, body] of [
      ['GET', '/v1/teams/southwark/flows', undefined],
      ['POST', '/v1/teams/southwark/flows', { slug: 'x', name: 'x' }],
      ['POST', '/v1/teams/southwark/flows/ldc/grants', { destination: 'bops' }],
      ['PATCH', '/v1/teams/southwark', { name: 'pwned' }],
      ['POST', '/v1/credentials', { kind: 'consumer', platform: 'bops', teams: ['southwark'] }],
      ['GET', '/v1/credentials?team=southwark', undefined],
      ['GET', '/v1/audit?team=southwark', undefined],
    ] as const) {
      const res = await rt.call(method, path, { auth: teamAdmin, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });

  it("lists show a team admin only its own team's things", async () => {
    expect((await rt.call('GET', '/v1/teams', { auth: teamAdmin })).json.teams.map((t: any) => t.slug)).toEqual(['lambeth']);
    const creds = (await rt.call('GET', '/v1/credentials', { auth: teamAdmin })).json.credentials;
    expect(creds.length).toBeGreaterThan(0);
    expect(creds.every((c: any) => c.teams.includes('lambeth'))).toBe(true);
    const audit = (await rt.call('GET', '/v1/audit', { auth: teamAdmin })).json.entries;
    expect(audit.every((a: any) => a.team === 'lambeth')).toBe(true);
    const southwarkCred = (await rt.call('GET', '/v1/credentials?team=southwark')).json.credentials[0];
    expect((await rt.call('POST', `/v1/credentials/${southwarkCred.id}/revoke`, { auth: teamAdmin })).status).toBe(404);
  });

  it('only the admin creates teams and team-admin tokens', async () => {
    expect((await rt.call('POST', '/v1/teams', { auth: teamAdmin, body: { slug: 'new', name: 'New' } })).json.code).toBe('forbidden');
    expect((await rt.call('POST', '/v1/teams/lambeth/admin-tokens', { auth: teamAdmin, body: {} })).status).toBe(403);
  });

  it('an unknown operator token is 401, and consumer credentials cannot manage anything', async () => {
    expect((await rt.call('GET', '/v1/teams', { auth: { bearer: 'sbo_not_a_token' } })).status).toBe(401);
    const c = await rt.call('POST', '/v1/credentials', { body: { kind: 'consumer', platform: 'bops', teams: ['lambeth'] } });
    expect((await rt.call('GET', '/v1/teams', { auth: { basic: { key: c.json.credential.key, secret: c.json.secret } } })).status).toBe(401);
  });
});

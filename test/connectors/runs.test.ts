// Fan-out, grants, tenant isolation, limits and secrets, with connector code inserted directly
// (the registry path is covered by registry.test.ts).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPackage } from '../../runtime/src/db/store/connectors.ts';
import { seedProducer, startConnectorRuntime, type ConnectorRuntime } from '../support/connector-runtime.ts';

let rt: ConnectorRuntime;
let sink: Server;
let sinkUrl = '';
const hits: { path: string; body: any }[] = [];

/** Installs hand-written connector code as if it came from a registry. */
async function install(name: string, run: string, manifest: Record<string, unknown> = {}) {
  const bundle = `var __sb_connector = { default: { run: async ({ session, config, request, log }) => { ${run} } } };`;
  await insertPackage(rt.db, {
    name, version: '1.0.0', integrity: `sha512-${name}`, resolved: null, installed_by: 'test', bundle,
    bundle_sha256: createHash('sha256').update(bundle).digest('hex'),
    manifest: { manifestVersion: 1, entry: 'index.js', allowedHosts: ['{config.url}'], configSchema: { type: 'object', properties: { url: { type: 'string' }, secret: { type: 'string', writeOnly: true } } }, ...manifest },
  });
}

async function enable(team: string, name: string, config: Record<string, unknown>, flows = ['ldc'], grant = true, extra: Record<string, unknown> = {}) {
  const r = await rt.call('POST', `/v1/teams/${team}/connectors`, { body: { package: name, version: '1.0.0', config, flows, ...extra } });
  expect(r.status, r.text).toBe(201);
  if (grant) await rt.call('POST', `/v1/teams/${team}/flows/${flows[0]}/grants`, { body: { destinationKind: 'connector', destination: r.json.id } });
  return r.json.id as string;
}

const runs = (team: string, q = '') => rt.call('GET', `/v1/teams/${team}/connector-runs${q}`).then((r) => r.json.runs as any[]);

beforeAll(async () => {
  sink = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    hits.push({ path: req.url!, body: raw ? JSON.parse(raw) : undefined });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  rt = await startConnectorRuntime({ CONNECTOR_RETRY_SCHEDULE: 'none' });
  await install('echo', `const r = await request.post(config.url + '/' + session.team, { id: session.id, secret: config.secret }); return 'success';`);
  await install('bomb', `const a = []; for (;;) a.push(new Array(100000).fill(1));`);
  await install('peek', `globalThis.seen = (globalThis.seen || []).concat(session.team + ':' + session.id); return globalThis.seen.every((s) => s.startsWith(session.team + ':')) ? 'success' : 'leak: ' + globalThis.seen.join(',');`);
}, 60_000);

afterAll(async () => {
  await rt?.close();
  await new Promise((r) => sink?.close(r));
});

describe('connector runs', () => {
  let a: Awaited<ReturnType<typeof seedProducer>>;
  let b: Awaited<ReturnType<typeof seedProducer>>;
  const ids: Record<string, string> = {};

  it('runs only granted, active enablements of the session’s own team and flow', async () => {
    a = await seedProducer(rt, 'team-a', 'ldc');
    b = await seedProducer(rt, 'team-b', 'ldc');
    await rt.call('POST', '/v1/teams/team-a/flows', { body: { slug: 'other', name: 'Other' } });
    ids.a = await enable('team-a', 'echo', { url: sinkUrl, secret: 'secret-of-a' });
    ids.aUngranted = await enable('team-a', 'echo', { url: sinkUrl, secret: 'x' }, ['ldc'], false);
    ids.aOtherFlow = await enable('team-a', 'echo', { url: sinkUrl, secret: 'x' }, ['other']);
    ids.aInactive = await enable('team-a', 'echo', { url: sinkUrl, secret: 'x' }, ['ldc'], true, { active: false });
    ids.b = await enable('team-b', 'echo', { url: sinkUrl, secret: 'secret-of-b' });

    await rt.call('POST', '/v1/sessions', { auth: a.producer, body: { id: 'a-1', team: 'team-a', flow: 'ldc', data: { x: 1 } } });
    await rt.call('POST', '/v1/sessions', { auth: b.producer, body: { id: 'b-1', team: 'team-b', flow: 'ldc', data: { x: 2 } } });
    const ra = await rt.waitFor(() => runs('team-a'), (r) => r.length >= 1 && r.every((x) => x.status === 'success'));
    const rb = await rt.waitFor(() => runs('team-b'), (r) => r.length >= 1 && r.every((x) => x.status === 'success'));
    expect(ra.map((r) => [r.enablementId, r.sessionId])).toEqual([[ids.a, 'a-1']]);
    expect(rb.map((r) => [r.enablementId, r.sessionId])).toEqual([[ids.b, 'b-1']]);
    // Each team's connector saw its own session and its own secret only.
    expect(hits.filter((h) => h.path === '/team-a').map((h) => h.body)).toEqual([{ id: 'a-1', secret: 'secret-of-a' }]);
    expect(hits.filter((h) => h.path === '/team-b').map((h) => h.body)).toEqual([{ id: 'b-1', secret: 'secret-of-b' }]);
  }, 30_000);

  it('never shows another team its runs, and masks secrets', async () => {
    const token = await rt.call('POST', '/v1/teams/team-b/admin-tokens', { body: {} });
    const asB = { bearer: token.json.token as string };
    expect((await rt.call('GET', '/v1/teams/team-a/connector-runs', { auth: asB })).status).toBe(404);
    expect((await rt.call('GET', `/v1/teams/team-a/connectors/${ids.a}`, { auth: asB })).status).toBe(404);
    expect((await rt.call('GET', `/v1/teams/team-b/connectors/${ids.a}`, { auth: asB })).status).toBe(404);
    const shown = await rt.call('GET', `/v1/teams/team-a/connectors/${ids.a}`);
    expect(shown.json.config).toEqual({ url: sinkUrl, secret: '********' });
  });

  it('keeps a stored secret when the mask is sent back, and replaces it when a new one is', async () => {
    await rt.call('PATCH', `/v1/teams/team-a/connectors/${ids.a}`, { body: { config: { url: sinkUrl, secret: '********' } } });
    await rt.call('POST', '/v1/sessions', { auth: a.producer, body: { id: 'a-2', team: 'team-a', flow: 'ldc', data: {} } });
    await rt.waitFor(() => runs('team-a', '?session=a-2'), (r) => r[0]?.status === 'success');
    expect(hits.find((h) => h.body?.id === 'a-2')!.body.secret).toBe('secret-of-a');
    await rt.call('PATCH', `/v1/teams/team-a/connectors/${ids.a}`, { body: { config: { url: sinkUrl, secret: 'rotated' } } });
    await rt.call('POST', '/v1/sessions', { auth: a.producer, body: { id: 'a-3', team: 'team-a', flow: 'ldc', data: {} } });
    await rt.waitFor(() => runs('team-a', '?session=a-3'), (r) => r[0]?.status === 'success');
    expect(hits.find((h) => h.body?.id === 'a-3')!.body.secret).toBe('rotated');
  }, 30_000);

  it('state in a warm sandbox never crosses teams', async () => {
    const pa = await enable('team-a', 'peek', {}, ['ldc']);
    const pb = await enable('team-b', 'peek', {}, ['ldc']);
    for (let i = 0; i < 3; i++) {
      await rt.call('POST', '/v1/sessions', { auth: a.producer, body: { id: `pa-${i}`, team: 'team-a', flow: 'ldc', data: {} } });
      await rt.call('POST', '/v1/sessions', { auth: b.producer, body: { id: `pb-${i}`, team: 'team-b', flow: 'ldc', data: {} } });
    }
    const ra = await rt.waitFor(() => runs('team-a', `?enablement=${pa}`), (r) => r.length === 3 && r.every((x) => x.status !== 'queued' && x.status !== 'running'));
    const rb = await rt.waitFor(() => runs('team-b', `?enablement=${pb}`), (r) => r.length === 3 && r.every((x) => x.status !== 'queued' && x.status !== 'running'));
    expect([...ra, ...rb].map((r) => r.status)).toEqual(Array(6).fill('success'));
  }, 30_000);

  it('kills a run at its memory limit, records the limit, and carries on', async () => {
    const id = await enable('team-a', 'bomb', {}, ['ldc'], true, { limits: { memoryMb: 16 } });
    await rt.call('POST', '/v1/sessions', { auth: a.producer, body: { id: 'a-bomb', team: 'team-a', flow: 'ldc', data: {} } });
    const [run] = await rt.waitFor(() => runs('team-a', `?enablement=${id}`), (r) => r[0]?.status === 'dead', 15_000);
    expect(run.limitHit).toBe('memory');
    expect(run.error).toMatch(/memory limit of 16 MB/);
    const [after] = await rt.waitFor(() => runs('team-a', `?enablement=${ids.a}&session=a-bomb`), (r) => r[0]?.status === 'success');
    expect(after.sessionId).toBe('a-bomb');
  }, 30_000);

  it('stops runs already queued once the grant is withdrawn', async () => {
    await rt.call('DELETE', `/v1/teams/team-b/flows/ldc/grants/connector/${ids.b}`);
    const r = await rt.call('POST', `/v1/teams/team-b/connectors/${ids.b}/runs`, { body: { sessionId: 'b-1' } });
    const run = await rt.waitFor(() => rt.call('GET', `/v1/teams/team-b/connector-runs/${r.json.id}`).then((x) => x.json), (x) => x.status === 'skipped');
    expect(run.error).toMatch(/does not grant/);
  }, 30_000);
});

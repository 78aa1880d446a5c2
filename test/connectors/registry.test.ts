// The whole path with real parts: connectors published with `npm publish` to a loopback
// Verdaccio, installed through the API (pacote + Arborist + esbuild), enabled and granted for
// a team, and run by the worker (event feed → pg-boss → sandbox) when a session is submitted,
// against loopback fakes of each vendor's API.
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConnector } from '@switchboard/connector-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectorRuntime, seedProducer, type ConnectorRuntime } from '../support/connector-runtime.ts';
import { npm, startVerdaccio } from '../support/verdaccio.ts';

const root = new URL('../../', import.meta.url).pathname;
type Received = { method: string; path: string; headers: IncomingMessage['headers']; body: any; raw: string };

let registry: Awaited<ReturnType<typeof startVerdaccio>>;
let rt: ConnectorRuntime;
let vendor: Server;
let vendorUrl = '';
const received: Received[] = [];
let bopsStatus = 200;
const work: string[] = [];

const notifyServiceId = '26785a09-ab16-4eb0-8407-a37497a57506';
const notifySecret = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const passport = {
  'application.type': 'ldc.proposed', 'applicant.email': 'ada@example.com', 'applicant.name.first': 'Ada', 'applicant.name.last': 'Lovelace',
  'proposal.description': 'Rear extension', _address: { uprn: '100021892955', single_line_address: '1 Test Street, London', postcode: 'SE1 1AA' },
};

async function tempPackage(name: string, files: Record<string, string>, extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-pkg-'));
  work.push(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({
    name, version: '1.0.0', type: 'module', main: 'src/index.js', dependencies: { '@switchboard/connector-sdk': '^0.1.0', zod: '^4.6.7' },
    switchboard: { manifestVersion: 1, entry: 'src/index.js', configSchema: { type: 'object', properties: {} }, allowedHosts: [] }, ...extra,
  }));
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), text);
  }
  return dir;
}

beforeAll(async () => {
  registry = await startVerdaccio();
  // Everything a connector install needs comes from this registry: zod, the SDK, the connectors.
  await registry.publish(join(root, 'node_modules/zod'), { ignoreScripts: true });
  await registry.publish(join(root, 'packages/connector-sdk'));
  for (const c of ['connector-http-forward', 'connector-bops', 'connector-notify-email']) await registry.publish(join(root, 'connectors', c));

  vendor = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const ch of req) chunks.push(ch as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const r: Received = { method: req.method!, path: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined, raw };
    received.push(r);
    if (r.path === '/api/v1/planning_applications') {
      res.writeHead(bopsStatus, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(bopsStatus === 200 ? { id: 42 } : { message: 'down' }));
    }
    if (r.path === '/v2/notifications/email') {
      res.writeHead(201, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ id: 'n-1' }));
    }
    res.writeHead(204);
    res.end();
  });
  await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r));
  vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  rt = await startConnectorRuntime({ CONNECTOR_REGISTRY: registry.url, CONNECTOR_REGISTRY_TOKEN: registry.token });
}, 180_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
  await new Promise((r) => vendor?.close(r));
  for (const d of work) await rm(d, { recursive: true, force: true });
});

const runsOf = (team: string, query = '') => rt.call('GET', `/v1/teams/${team}/connector-runs${query}`).then((r) => r.json.runs as any[]);

describe('connectors from a registry, end to end', () => {
  const enabled: Record<string, string> = {};
  let team = '';
  let producer: { basic: { key: string; secret: string } };

  it('installs each published connector through the API, recording its integrity', async () => {
    for (const c of ['connector-http-forward', 'connector-bops', 'connector-notify-email']) {
      const r = await rt.call('POST', '/v1/connectors', { body: { package: `@switchboard/${c}`, version: '1.0.0' } });
      expect(r.status, r.text).toBe(201);
      expect(r.json.integrity).toMatch(/^sha512-/);
      expect(r.json.manifest.configSchema.type).toBe('object');
    }
    const again = await rt.call('POST', '/v1/connectors', { body: { package: '@switchboard/connector-bops', version: '1.0.0' } });
    expect(again.status).toBe(200);
    const list = await rt.call('GET', '/v1/connectors');
    expect(list.json.connectors.map((p: any) => p.name)).toEqual(['@switchboard/connector-bops', '@switchboard/connector-http-forward', '@switchboard/connector-notify-email']);
  }, 120_000);

  it('validates config against the manifest schema, naming the field', async () => {
    ({ team, producer } = await seedProducer(rt));
    const bad = await rt.call('POST', `/v1/teams/${team}/connectors`, { body: { package: '@switchboard/connector-bops', version: '1.0.0', config: { baseUrl: 'not a url' }, flows: ['ldc'] } });
    expect(bad.status).toBe(422);
    expect(bad.json.fields.map((f: any) => f.path).sort()).toEqual(['body.config.baseUrl', 'body.config.token']);
  });

  it('enables, grants and runs each connector when a session is submitted', async () => {
    const configs: Record<string, unknown> = {
      'connector-http-forward': { url: `${vendorUrl}/hook`, secret: 'forward-secret-0123456789' },
      'connector-bops': { baseUrl: vendorUrl, token: 'bops-token-123' },
      'connector-notify-email': { apiKey: `key-${notifyServiceId}-${notifySecret}`, templateId: 'f33517ff-2a88-4f6e-b855-c550268ce08a', baseUrl: vendorUrl, personalisation: { first_name: 'applicant.name.first' } },
    };
    for (const [c, config] of Object.entries(configs)) {
      const r = await rt.call('POST', `/v1/teams/${team}/connectors`, { body: { package: `@switchboard/${c}`, version: '1.0.0', config, flows: ['ldc'] } });
      expect(r.status, r.text).toBe(201);
      // Secrets never come back.
      expect(JSON.stringify(r.json)).not.toMatch(/forward-secret|bops-token-123|3d844edf/);
      enabled[c] = r.json.id;
      const g = await rt.call('POST', `/v1/teams/${team}/flows/ldc/grants`, { body: { destinationKind: 'connector', destination: r.json.id } });
      expect(g.status).toBe(201);
    }
    const stored = await rt.db.query<{ config_sealed: string }>('SELECT config_sealed FROM connector_enablements');
    for (const row of stored.rows) expect(row.config_sealed).toMatch(/^v1\.dev\./);

    const s = await rt.call('POST', '/v1/sessions', { auth: producer, body: { id: 'sess-e2e-1', team, flow: 'ldc', paymentId: 'pay_1', data: { passport: { data: passport } } } });
    expect(s.status, s.text).toBe(201);
    const runs = await rt.waitFor(() => runsOf(team), (r) => r.length === 3 && r.every((x) => x.status === 'success'));
    for (const run of runs) {
      expect(run.eventId).toBe(s.json.eventId);
      expect(run.requests).toHaveLength(1);
      expect(run.requests[0]).toMatchObject({ method: 'POST', host: vendorUrl.slice(7), status: expect.any(Number) });
      expect(run.durationMs).toBeGreaterThan(0);
      expect(run.memoryBytes).toBeGreaterThan(0);
    }
    const hook = received.find((r) => r.path === '/hook')!;
    const [t, v1] = String(hook.headers['x-switchboard-signature']).split(',').map((p) => p.split('=')[1]);
    expect(v1).toBe(createHmac('sha256', 'forward-secret-0123456789').update(`${t}.${hook.raw}`).digest('hex'));
    expect(hook.body.data.passport.data['applicant.email']).toBe('ada@example.com');
    const bops = received.find((r) => r.path === '/api/v1/planning_applications')!;
    expect(bops.headers.authorization).toBe('Bearer bops-token-123');
    expect(bops.body).toMatchObject({ application_type: 'ldc.proposed', applicant_email: 'ada@example.com', planx_session_id: 'sess-e2e-1', payment_reference: 'pay_1' });
    const mail = received.find((r) => r.path === '/v2/notifications/email')!;
    expect(mail.body).toEqual({ email_address: 'ada@example.com', template_id: 'f33517ff-2a88-4f6e-b855-c550268ce08a', personalisation: { first_name: 'Ada' }, reference: 'sess-e2e-1' });
  }, 60_000);

  it('the SDK harness and the production worker give the same result for the same connector', async () => {
    const harness = await testConnector(join(root, 'connectors/connector-bops'), {
      session: { id: 'sess-e2e-1', paymentId: 'pay_1', data: { passport: { data: passport } } },
      config: (base) => ({ baseUrl: base, token: 'bops-token-123' }),
      routes: { 'POST /api/v1/planning_applications': { status: 200, body: { id: 42 } } },
    });
    const worker = (await runsOf(team, `?enablement=${enabled['connector-bops']}`))[0];
    expect(harness.status).toBe(worker.status);
    expect(harness.logs).toEqual(worker.logs);
    expect(harness.requests.map((r) => [r.method, r.path, r.status])).toEqual(worker.requests.map((r: any) => [r.method, r.path, r.status]));
    const fromWorker = received.find((r) => r.path === '/api/v1/planning_applications')!.body;
    expect(harness.received[0]!.body).toEqual(fromWorker);
  });

  it('retries a failed run on the schedule, then marks it dead; an operator retry runs it again', async () => {
    bopsStatus = 503;
    const s = await rt.call('POST', '/v1/sessions', { auth: producer, body: { id: 'sess-e2e-2', team, flow: 'ldc', data: { passport: { data: passport } } } });
    const q = `?enablement=${enabled['connector-bops']}&session=sess-e2e-2`;
    const [dead] = await rt.waitFor(() => runsOf(team, q), (r) => r[0]?.status === 'dead');
    expect(dead.attempts).toBe(2);
    expect(dead.result).toBe('failed');
    expect(dead.eventId).toBe(s.json.eventId);
    bopsStatus = 200;
    const retry = await rt.call('POST', `/v1/teams/${team}/connector-runs/${dead.id}/retry`);
    expect(retry.status).toBe(202);
    await rt.waitFor(() => runsOf(team, q), (r) => r[0]?.status === 'success');
  }, 60_000);

  it('skips a session that fails the manifest requirements, naming the failing paths', async () => {
    await rt.call('POST', '/v1/sessions', { auth: producer, body: { id: 'sess-e2e-3', team, flow: 'ldc', data: { passport: { data: { 'application.type': 'x' } } } } });
    const [run] = await rt.waitFor(() => runsOf(team, `?enablement=${enabled['connector-bops']}&session=sess-e2e-3`), (r) => r[0]?.status === 'skipped');
    expect(run.skippedPaths).toEqual(expect.arrayContaining([expect.stringMatching(/^passport\.data\.applicant\.email/), expect.stringMatching(/^passport\.data\._address/)]));
    const dest = await rt.call('GET', `/v1/teams/${team}/flows/ldc/destinations?sessionId=sess-e2e-3`);
    const bops = dest.json.destinations.find((d: any) => d.destination === enabled['connector-bops']);
    expect(bops).toMatchObject({ kind: 'connector', granted: true, satisfied: false });
    const forward = dest.json.destinations.find((d: any) => d.destination === enabled['connector-http-forward']);
    expect(forward.satisfied).toBeNull();
  }, 30_000);

  it('runs now against a chosen session as a dry run: requests recorded, none sent', async () => {
    const before = received.length;
    const r = await rt.call('POST', `/v1/teams/${team}/connectors/${enabled['connector-http-forward']}/runs`, { body: { sessionId: 'sess-e2e-1', dryRun: true } });
    expect(r.status, r.text).toBe(202);
    const run = await rt.waitFor(() => rt.call('GET', `/v1/teams/${team}/connector-runs/${r.json.id}`).then((x) => x.json), (x) => x.status === 'success');
    expect(run.dryRun).toBe(true);
    expect(run.requests[0]).toMatchObject({ method: 'POST', path: '/hook', dryRun: true });
    expect(received.length).toBe(before);
  }, 30_000);

  it('scaffolds a connector that installs, tests and packs green, then publishes, installs and runs', async () => {
    const base = await mkdtemp(join(tmpdir(), 'switchboard-scaffold-'));
    work.push(base);
    const dir = join(base, 'connector-demo');
    // `npm create @switchboard/connector` runs this bin; the SDK is linked from the repository.
    await npm(['exec', '--', 'node', join(root, 'packages/create-connector/bin/create-connector.js'), dir, '--name', '@acme/connector-demo', '--sdk', `file:${join(root, 'packages/connector-sdk')}`], base);
    const env = { npm_config_registry: registry.url };
    await npm(['install', '--no-audit', '--no-fund'], dir, env);
    const tested = await npm(['test'], dir, env);
    expect(tested.stdout).toMatch(/ℹ pass 2/);
    expect(tested.stdout).toMatch(/ℹ fail 0/);
    const packed = await npm(['pack', '--json'], dir, env);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    expect(info.files.map((f: { path: string }) => f.path).sort()).toEqual(['README.md', 'package.json', 'src/index.js']);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).switchboard;
    expect(manifest.configSchema.properties.apiKey.writeOnly).toBe(true);

    // Published as a vendor would: depending on the SDK from the registry.
    await npm(['pkg', 'set', 'dependencies.@switchboard/connector-sdk=^0.1.0'], dir);
    await registry.publish(dir);
    const inst = await rt.call('POST', '/v1/connectors', { body: { package: '@acme/connector-demo', version: '0.1.0' } });
    expect(inst.status, inst.text).toBe(201);
    const en = await rt.call('POST', `/v1/teams/${team}/connectors`, { body: { package: '@acme/connector-demo', version: '0.1.0', config: { endpoint: `${vendorUrl}/sessions`, apiKey: 'demo-key' }, flows: ['ldc'] } });
    expect(en.status, en.text).toBe(201);
    await rt.call('POST', `/v1/teams/${team}/flows/ldc/grants`, { body: { destinationKind: 'connector', destination: en.json.id } });
    await rt.call('POST', '/v1/sessions', { auth: producer, body: { id: 'sess-e2e-demo', team, flow: 'ldc', data: { passport: { data: passport } } } });
    const [run] = await rt.waitFor(() => runsOf(team, `?enablement=${en.json.id}`), (r) => r[0]?.status === 'success');
    expect(run.requests[0]).toMatchObject({ method: 'POST', path: '/sessions', status: 204 });
    const got = received.find((r) => r.path === '/sessions')!;
    expect(got.headers.authorization).toBe('Bearer demo-key');
    expect(got.body.id).toBe('sess-e2e-demo');
  }, 120_000);

  it('refuses to uninstall a version in use', async () => {
    const r = await rt.call('DELETE', `/v1/connectors/${encodeURIComponent('@switchboard/connector-bops')}/versions/1.0.0`);
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('in_use');
  });

  it('refuses a changed tarball republished under the same version', async () => {
    const source = `import { defineConnector } from '@switchboard/connector-sdk';\nexport default defineConnector({ name: '@test/changing', run: async () => 'success' });\n`;
    const dir = await tempPackage('@test/changing', { 'src/index.js': source });
    await registry.publish(dir, { ignoreScripts: true });
    expect((await rt.call('POST', '/v1/connectors', { body: { package: '@test/changing', version: '1.0.0' } })).status).toBe(201);
    await registry.unpublish('@test/changing@1.0.0');
    await writeFile(join(dir, 'src/index.js'), source.replace("'success'", "'failed'"));
    await registry.publish(dir, { ignoreScripts: true });
    const r = await rt.call('POST', '/v1/connectors', { body: { package: '@test/changing', version: '1.0.0' } });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('integrity_mismatch');
    const unused = await rt.call('DELETE', `/v1/connectors/${encodeURIComponent('@test/changing')}/versions/1.0.0`);
    expect(unused.status).toBe(204);
  }, 60_000);

  it('installs an uploaded tarball, its dependencies coming from the registry', async () => {
    const dir = await tempPackage('@test/uploaded', {
      'src/index.js': `import { defineConnector } from '@switchboard/connector-sdk';\nexport default defineConnector({ name: '@test/uploaded', run: async () => 'success' });\n`,
    });
    const packed = await npm(['pack', '--json', '--ignore-scripts'], dir);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    const tarball = await readFile(join(dir, info.filename));
    const r = await rt.call('POST', '/v1/connectors', { body: { tarball: tarball.toString('base64') } });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ name: '@test/uploaded', version: '1.0.0', resolved: 'upload', integrity: info.integrity });
    const junk = await rt.call('POST', '/v1/connectors', { body: { tarball: Buffer.from('not a tarball').toString('base64') } });
    expect(junk.status).toBe(422);
  }, 60_000);

  it('refuses a package importing a Node built-in, naming the import', async () => {
    const dir = await tempPackage('@test/sneaky', {
      'src/index.js': `import { defineConnector } from '@switchboard/connector-sdk';\nimport { readFileSync } from 'node:fs';\nexport default defineConnector({ name: '@test/sneaky', run: async () => readFileSync('/etc/passwd', 'utf8') });\n`,
    });
    await registry.publish(dir, { ignoreScripts: true });
    const r = await rt.call('POST', '/v1/connectors', { body: { package: '@test/sneaky', version: '1.0.0' } });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('invalid_package');
    expect(r.json.detail).toContain('"node:fs"');
  }, 60_000);
});


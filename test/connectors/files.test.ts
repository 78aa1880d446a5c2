// A connector fetches the session's stored files through the short-lived links it is given.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../runtime/src/api/server.ts';
import { insertPackage } from '../../runtime/src/db/store/connectors.ts';
import { freePort } from '../support/net.ts';
import { seedProducer, startConnectorRuntime, type ConnectorRuntime } from '../support/connector-runtime.ts';

let rt: ConnectorRuntime;
let api: Awaited<ReturnType<typeof listen>>;
let sink: Server;
let sinkUrl = '';
const hits: any[] = [];

beforeAll(async () => {
  sink = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    hits.push(JSON.parse(raw));
    res.end('{}');
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const port = await freePort();
  rt = await startConnectorRuntime({ CONNECTOR_RETRY_SCHEDULE: 'none', SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}` });
  api = await listen(rt.app, '127.0.0.1', port);
  const bundle = `var __sb_connector = { default: { run: async ({ session, config, request }) => {
    const file = session.files.find((f) => f.url);
    const got = await request.get({ url: file.url });
    await request.post(config.url + '/got', { name: file.name, sha256: file.sha256, status: got.statusCode, text: got.response });
    return got.statusCode === 200 ? 'success' : 'failed';
  } } };`;
  await insertPackage(rt.db, {
    name: 'file-reader', version: '1.0.0', integrity: 'sha512-file-reader', resolved: null, installed_by: 'test', bundle,
    bundle_sha256: createHash('sha256').update(bundle).digest('hex'),
    manifest: { manifestVersion: 1, entry: 'index.js', allowedHosts: ['{config.url}'], configSchema: { type: 'object', properties: { url: { type: 'string' } } } },
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await rt?.close();
  await new Promise((r) => sink?.close(r));
});

describe('files in the connector sandbox', () => {
  it('lists stored files with short-lived download links, which the sandbox fetches', async () => {
    const seed = await seedProducer(rt);
    const producer = `Basic ${Buffer.from(`${seed.producer.basic.key}:${seed.producer.basic.secret}`).toString('base64')}`;
    const submitted = await rt.call('POST', '/v1/sessions', { auth: seed.producer, body: { id: 'with-file', team: seed.team, flow: seed.flow, data: {} } });
    expect(submitted.status).toBe(201);
    const upload = await fetch(`${api.url}/v1/sessions/with-file/files?name=notes.txt`, { method: 'POST', headers: { authorization: producer, 'content-type': 'text/plain' }, body: 'the applicant’s notes' });
    expect(upload.status).toBe(201);
    const file = ((await upload.json()) as { file: { sha256: string } }).file;

    // Enabled after the upload and run on demand, so the run surely sees the file.
    const en = await rt.call('POST', `/v1/teams/${seed.team}/connectors`, { body: { package: 'file-reader', version: '1.0.0', config: { url: sinkUrl }, flows: [seed.flow] } });
    expect(en.status, en.text).toBe(201);
    await rt.call('POST', `/v1/teams/${seed.team}/flows/${seed.flow}/grants`, { body: { destinationKind: 'connector', destination: en.json.id } });
    const queued = await rt.call('POST', `/v1/teams/${seed.team}/connectors/${en.json.id}/runs`, { body: { sessionId: 'with-file' } });
    expect(queued.status, queued.text).toBe(202);
    const run = await rt.waitFor(() => rt.call('GET', `/v1/teams/${seed.team}/connector-runs/${queued.json.id}`).then((r) => r.json), (r) => !['queued', 'running'].includes(r.status));
    expect(run.status, JSON.stringify(run)).toBe('success');
    expect(hits).toEqual([{ name: 'notes.txt', sha256: file.sha256, status: 200, text: 'the applicant’s notes' }]);
    expect(run.requests.map((r: any) => [r.method, r.path.split('/').slice(0, 3).join('/'), r.status])).toEqual([['GET', '/v1/file-downloads', 200], ['POST', '/got', 200]]);
  });
});

// The offline harness: bundles the package exactly as installation does and runs it in the
// production sandbox against a loopback HTTP server built from `routes`.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';

/**
 * routes: { 'POST /api/v1/things': (req) => ({ status, body, headers }) | body }
 * config: an object, or a function of the loopback server's base URL returning one.
 */
export async function testConnector(pkgDir, { session, config = {}, routes = {}, limits = {}, dryRun = false } = {}) {
  const { createSandbox, defaultLimits, resolveAllowedHosts } = await import('@switchboard/runtime/sandbox');
  const { bundleConnector } = await import('@switchboard/runtime/connectors/bundle');
  const dir = resolve(pkgDir);
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const entry = pkg.switchboard?.entry ?? pkg.main ?? 'src/index.js';
  const code = await bundleConnector(dir, entry);
  const mod = await import(new URL(`file://${join(dir, entry)}`).href);
  const connector = mod.default ?? mod;

  const received = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    let body = text;
    try { body = text ? JSON.parse(text) : undefined; } catch {}
    const url = new URL(req.url, 'http://loopback');
    const call = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body, rawBody: text };
    received.push(call);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: `no route for ${req.method} ${url.pathname}` }));
    }
    const out = typeof handler === 'function' ? await handler(call) : handler;
    const reply = out && typeof out === 'object' && 'status' in out ? out : { status: 200, body: out };
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const sandbox = createSandbox({ allowAddresses: ['127.0.0.1'] });
  try {
    const cfg = typeof config === 'function' ? config(baseUrl) : config;
    const result = await sandbox.run({
      bundle: { key: `harness:${pkg.name}@${pkg.version}`, code },
      session: { id: 'test-session', team: 'test-team', flow: 'test-flow', paymentId: null, submittedAt: new Date(0).toISOString(), data: {}, files: [], ...session },
      config: cfg,
      allowedHosts: resolveAllowedHosts([...(connector.allowedHosts ?? [])], cfg),
      limits: { ...defaultLimits, ...limits },
      dryRun,
    });
    return { status: result.outcome === 'error' ? result.error : result.outcome, result, requests: result.requests, received, logs: result.logs, baseUrl };
  } finally {
    await sandbox.close();
    await new Promise((r) => server.close(r));
  }
}

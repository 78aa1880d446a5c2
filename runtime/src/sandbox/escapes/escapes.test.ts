// Each case must fail inside the sandbox, never in the process that asked for the run: after
// every case the same sandbox still runs a well-behaved connector.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../pool.ts';
import { defaultLimits, type Limits, type SandboxJob } from '../types.ts';

let sandbox: Sandbox;
let sink: Server;
let sinkHost = '';
const hits: string[] = [];
let bundleSeq = 0;

/** A bundle as esbuild would emit it: an IIFE assigning the module to `__sb_connector`. */
function bundle(runBody: string) {
  return { key: `test-${++bundleSeq}`, code: `var __sb_connector = { default: { run: async ({ session, config, request, log }) => { ${runBody} } } };` };
}

function job(runBody: string, extra: Partial<Omit<SandboxJob, 'limits'>> & { limits?: Partial<Limits> } = {}): SandboxJob {
  return {
    bundle: bundle(runBody), session: { id: 's1', data: { name: 'Ada' } }, config: {}, allowedHosts: [sinkHost],
    ...extra, limits: { ...defaultLimits, wallMs: 2000, cpuMs: 1000, memoryMb: 32, ...extra.limits },
  };
}

async function stillHealthy() {
  const r = await sandbox.run(job(`return 'success'`));
  expect(r.outcome).toBe('success');
}

beforeAll(async () => {
  sink = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkHost = `127.0.0.1:${(sink.address() as AddressInfo).port}`;
  sandbox = createSandbox({ allowAddresses: ['127.0.0.1'], testHosts: { 'metadata.evil.test': ['169.254.169.254'], 'loopback.evil.test': ['127.0.0.2'] } });
});

afterAll(async () => {
  await sandbox.close();
  await new Promise((r) => sink.close(r));
});

const refusedInside: [string, string, RegExp][] = [
  ['process is not defined', `process.exit(1)`, /process is not defined/],
  ['require is not defined', `require('node:fs').readFileSync('/etc/passwd')`, /require is not defined/],
  ['import() reaches no module loader', `await import('node:fs')`, /./],
  ['the Function constructor yields the isolate, not the host', `return globalThis.constructor.constructor('return process')().pid`, /process is not defined/],
  ['fetch does not exist', `await fetch('http://example.com/')`, /fetch is not defined/],
  ['timers do not exist', `setTimeout(() => {}, 1)`, /setTimeout is not defined/],
  ['request return values are copies that lead nowhere', `const r = await request.get({ url: 'http://' + config.sink + '/' }); return r.constructor.constructor('return process')().pid`, /process is not defined/],
  ['request headers are copies too', `const r = await request.get({ url: 'http://' + config.sink + '/' }); return r.headers.constructor.constructor('return require')()('fs')`, /require is not defined/],
  ['only get and post exist', `await request.delete({ url: 'http://' + config.sink + '/' })`, /not a function/],
  ['a host not allowed is refused', `await request.get({ url: 'https://example.com/' })`, /not in this connector's allowed hosts/],
  ['file urls are refused', `await request.get({ url: 'file:///etc/passwd' })`, /./],
];

describe('the sandbox refuses escapes', () => {
  for (const [name, body, error] of refusedInside) {
    it(name, async () => {
      const r = await sandbox.run(job(body, { config: { sink: sinkHost } }));
      expect(r.outcome).toBe('error');
      expect(r.error).toMatch(error);
      await stillHealthy();
    });
  }

  it('prototype pollution stays inside the run and never reaches the host or the next tenant', async () => {
    const r = await sandbox.run(job(`Object.prototype.polluted = 'yes'; session.__proto__.own = 1; Array.prototype.push = null; return 'success'`, { reuseKey: 'tenant-a' }));
    expect(r.outcome).toBe('success');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const next = await sandbox.run(job(`return ({}).polluted === undefined && typeof [].push === 'function' ? 'success' : 'leaked: ' + ({}).polluted`, { reuseKey: 'tenant-b' }));
    expect(next.outcome).toBe('success');
  });

  it('globals and module state never cross reuse keys, and do survive within one', async () => {
    const code = bundle(`globalThis.seen = (globalThis.seen || []); globalThis.seen.push(session.id); return globalThis.seen.length === 1 ? 'success' : 'state: ' + globalThis.seen.join(',')`);
    const base = { config: {}, allowedHosts: [], limits: { ...defaultLimits, wallMs: 2000 } };
    expect((await sandbox.run({ ...base, bundle: code, reuseKey: 'enablement-a', session: { id: 'a1' } })).outcome).toBe('success');
    expect((await sandbox.run({ ...base, bundle: code, reuseKey: 'enablement-b', session: { id: 'b1' } })).outcome).toBe('success');
    const again = await sandbox.run({ ...base, bundle: code, reuseKey: 'enablement-a', session: { id: 'a2' } });
    // The warm context of enablement A is reused (that is what makes it fast) and sees only its own runs.
    expect(again.warm).toBe(true);
    expect(again.error).toBe('state: a1,a2');
    const fresh = await sandbox.run({ ...base, bundle: code, session: { id: 'c1' } });
    expect(fresh.outcome).toBe('success');
  });

  it('an infinite loop is killed at the CPU or wall-clock limit', async () => {
    const r = await sandbox.run(job(`for (;;) {}`, { limits: { wallMs: 1000, cpuMs: 300 } }));
    expect(r.outcome).toBe('error');
    expect(['cpu', 'wall_clock']).toContain(r.limit);
    await stillHealthy();
  });

  it('an async infinite loop is killed too', async () => {
    const r = await sandbox.run(job(`for (;;) { await null; }`, { limits: { wallMs: 1000, cpuMs: 300 } }));
    expect(['cpu', 'wall_clock']).toContain(r.limit);
    await stillHealthy();
  });

  it('a promise that never settles is killed at the wall clock', async () => {
    const r = await sandbox.run(job(`await new Promise(() => {})`, { limits: { wallMs: 300 } }));
    expect(r.limit).toBe('wall_clock');
    await stillHealthy();
  });

  it('a memory bomb is killed at the memory limit', async () => {
    const r = await sandbox.run(job(`const a = []; for (;;) a.push(new Array(100000).fill(Math.random()));`, { limits: { memoryMb: 16, wallMs: 10_000, cpuMs: 10_000 } }));
    expect(r.outcome).toBe('error');
    expect(r.limit).toBe('memory');
    await stillHealthy();
  });

  it('a huge returned string is cut to a short error message', async () => {
    const r = await sandbox.run(job(`return 'x'.repeat(20 * 1024 * 1024)`, { limits: { memoryMb: 64 } }));
    expect(r.outcome).toBe('error');
    expect(r.error!.length).toBeLessThan(2100);
    await stillHealthy();
  });

  it('127.0.0.x reached through a DNS name is refused at connect time', async () => {
    const r = await sandbox.run(job(`await request.get({ url: 'http://loopback.evil.test:' + config.port + '/' })`, {
      allowedHosts: ['loopback.evil.test'], config: { port: sinkHost.split(':')[1] },
    }));
    expect(r.outcome).toBe('error');
    expect(r.error).toMatch(/private, loopback or reserved/);
  });

  it('cloud metadata (169.254.169.254) through a DNS name is refused', async () => {
    const r = await sandbox.run(job(`await request.get({ url: 'http://metadata.evil.test/latest/meta-data/' })`, { allowedHosts: ['metadata.evil.test'] }));
    expect(r.error).toMatch(/169\.254\.169\.254 is a private/);
    expect(r.requests[0]).toMatchObject({ host: 'metadata.evil.test', status: null });
  });

  it('localhost is refused without the operator allowlist', async () => {
    const strict = createSandbox();
    try {
      const r = await strict.run(job(`await request.get({ url: 'http://localhost:' + config.port + '/' })`, { allowedHosts: ['localhost'], config: { port: sinkHost.split(':')[1] } }));
      expect(r.error).toMatch(/loopback/);
      const literal = await strict.run(job(`await request.get({ url: 'http://169.254.169.254/' })`, { allowedHosts: ['169.254.169.254'] }));
      expect(literal.error).toMatch(/refused/);
    } finally {
      await strict.close();
    }
  });

  it('redirects are returned, never followed', async () => {
    const before = hits.length;
    const r = await sandbox.run(job(`const r = await request.get({ url: 'http://' + config.sink + '/redirect' }); return r.statusCode === 302 ? 'success' : 'got ' + r.statusCode`, { config: { sink: sinkHost } }));
    expect(r.outcome).toBe('success');
    expect(hits.length - before).toBe(1);
    expect(r.requests).toHaveLength(1);
  });

  it('10,000 requests in one run are cut off at the cap and the run is killed', async () => {
    const before = hits.length;
    const r = await sandbox.run(job(`for (let i = 0; i < 10000; i++) { try { await request.post('http://' + config.sink + '/n', { i }); } catch (e) {} } return 'success'`, {
      config: { sink: sinkHost }, limits: { maxRequests: 20 },
    }));
    expect(r.outcome).toBe('error');
    expect(r.limit).toBe('requests');
    expect(hits.length - before).toBe(20);
    await stillHealthy();
  });

  it('a sandbox process that dies mid-run is recorded as a crash and replaced', async () => {
    const pending = sandbox.run(job(`await new Promise(() => {})`, { limits: { wallMs: 20_000 } }));
    await new Promise((r) => setTimeout(r, 200));
    process.kill(sandbox.pids()[0]!, 'SIGKILL');
    const r = await pending;
    expect(r.limit).toBe('crash');
    await stillHealthy();
  });

  it('responses past the size cap are refused', async () => {
    const r = await sandbox.run(job(`await request.get({ url: 'http://' + config.sink + '/' })`, { config: { sink: sinkHost }, limits: { maxResponseBytes: 4 } }));
    expect(r.error).toMatch(/larger than 4 bytes/);
  });

  it('log lines are captured and capped', async () => {
    const r = await sandbox.run(job(`for (let i = 0; i < 50; i++) log('line', i, { n: i }); return 'success'`, { limits: { maxLogLines: 5 } }));
    expect(r.logs.slice(0, 2)).toEqual(['line 0 {"n":0}', 'line 1 {"n":1}']);
    expect(r.logs.at(-1)).toBe('[45 more log lines dropped]');
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextStep } from './retry.ts';
import { createSender, parseRetryAfter } from './sender.ts';
import { addressPolicy } from './ssrf.ts';
import { urlProblem } from './url-policy.ts';

let port: number;
let hits: string[] = [];
const server = createServer((req, res) => {
  hits.push(req.url ?? '');
  if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
  else res.writeHead(200).end('fine');
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('address policy (SSRF guard)', () => {
  const strict = addressPolicy([]);
  it.each([
    ['127.0.0.1', false], ['10.0.0.8', false], ['172.16.4.4', false], ['192.168.1.1', false], ['169.254.169.254', false],
    ['100.64.0.1', false], ['0.0.0.0', false], ['224.0.0.1', false], ['::1', false], ['::', false], ['fe80::1', false],
    ['fd00::1', false], ['ff02::1', false], ['::ffff:127.0.0.1', false], ['::ffff:169.254.169.254', false],
    ['93.184.216.34', true], ['2606:2800:220:1::1', true], ['::ffff:93.184.216.34', true],
  ])('%s allowed: %s', (address, allowed) => {
    expect(strict.isAllowed('example.org', address)).toBe(allowed);
  });

  it('opens exactly what the operator allows, by CIDR or by host name', () => {
    const open = addressPolicy(['127.0.0.0/8', 'sink.internal']);
    expect(open.isAllowed('x', '127.0.0.5')).toBe(true);
    expect(open.isAllowed('x', '10.0.0.1')).toBe(false);
    expect(open.isAllowed('sink.internal', '10.0.0.1')).toBe(true);
  });
});

describe('sender', () => {
  it('refuses a name that resolves to loopback at connect time, before any byte is sent', async () => {
    hits = [];
    const sender = createSender({ policy: addressPolicy([]), timeoutMs: 2000, perOrigin: 2 });
    const r = await sender.send(`http://localhost:${port}/x`, {}, '{}');
    await sender.close();
    expect(r).toMatchObject({ ok: false, errorClass: 'blocked_address' });
    expect(hits).toEqual([]);
  });

  it('refuses a loopback literal unless allowed', async () => {
    const sender = createSender({ policy: addressPolicy([]), timeoutMs: 2000, perOrigin: 2 });
    expect(await sender.send(`http://127.0.0.1:${port}/x`, {}, '{}')).toMatchObject({ errorClass: 'blocked_address' });
    await sender.close();
  });

  it('does not follow redirects', async () => {
    hits = [];
    const sender = createSender({ policy: addressPolicy(['127.0.0.1/32', 'localhost']), timeoutMs: 2000, perOrigin: 2 });
    const r = await sender.send(`http://localhost:${port}/redirect`, {}, '{}');
    await sender.close();
    expect(r).toMatchObject({ ok: false, status: 302, errorClass: 'http_status' });
    expect(hits).toEqual(['/redirect']);
  });

  it('reports a refused connection', async () => {
    const sender = createSender({ policy: addressPolicy(['127.0.0.1/32']), timeoutMs: 2000, perOrigin: 2 });
    expect(await sender.send('http://127.0.0.1:1/x', {}, '{}')).toMatchObject({ ok: false, errorClass: 'connection_refused' });
    await sender.close();
  });
});

describe('URL policy at creation', () => {
  const o = { policy: addressPolicy([]), allowedPorts: [443, 8443] };
  it.each([
    ['https://hooks.example.org/x', undefined],
    ['https://hooks.example.org:8443/x', undefined],
    ['https://hooks.example.org:22/x', /port 22/],
    ['https://localhost/x', /localhost/],
    ['javascript:alert(1)', /http/],
  ])('%s', (url, problem) => {
    const p = urlProblem(url, o);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });
});

describe('retry policy', () => {
  const policy = { schedule: [0, 5000, 300_000], jitter: 0.1, random: () => 0.5 };
  it('follows the schedule, then fails', () => {
    expect(nextStep(policy, 1, { ok: false, retryAfterMs: null })).toEqual({ status: 'pending', delayMs: 5000 });
    expect(nextStep(policy, 2, { ok: false, retryAfterMs: null })).toEqual({ status: 'pending', delayMs: 300_000 });
    expect(nextStep(policy, 3, { ok: false, retryAfterMs: null })).toEqual({ status: 'failed' });
    expect(nextStep(policy, 1, { ok: true, retryAfterMs: null })).toEqual({ status: 'succeeded' });
  });
  it('spreads delays by at most the jitter, and waits at least Retry-After', () => {
    for (const r of [0, 0.25, 0.999]) {
      const step = nextStep({ ...policy, random: () => r }, 1, { ok: false, retryAfterMs: null }) as { delayMs: number };
      expect(step.delayMs).toBeGreaterThanOrEqual(4500);
      expect(step.delayMs).toBeLessThanOrEqual(5500);
    }
    expect(nextStep(policy, 1, { ok: false, retryAfterMs: 60_000 })).toEqual({ status: 'pending', delayMs: 60_000 });
  });
  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('30', 0)).toBe(30_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

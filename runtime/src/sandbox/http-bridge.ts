import http from 'node:http';
import https from 'node:https';
import type { AddressGuard } from '../net/address-guard.ts';
import { isIP } from 'node:net';
import { hostAllowed } from './allowed-hosts.ts';
import type { Limits, RequestRecord } from './types.ts';

export type BridgeCall = { method?: unknown; url?: unknown; payload?: unknown; json?: unknown; headers?: unknown };
export type BridgeResponse = { statusCode: number; response: unknown; headers: Record<string, string> };

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export class RequestCapExceeded extends Error {}

/**
 * The `request` object's host side for one run: GET and POST only, to allowed hosts only,
 * through the address guard, with a response size cap, a per-call timeout and a call cap.
 * Records each call without bodies (they may carry personal data).
 */
export function createBridge(o: { allowedHosts: string[]; limits: Limits; guard: AddressGuard; dryRun?: boolean; onCapExceeded: () => void }) {
  const records: RequestRecord[] = [];
  let calls = 0;

  async function call(c: BridgeCall): Promise<BridgeResponse> {
    const method = c.method === 'POST' ? 'POST' : c.method === 'GET' ? 'GET' : undefined;
    if (!method) throw new Error('request: only get and post exist');
    if (typeof c.url !== 'string') throw new Error('request: url must be a string');
    let url: URL;
    try {
      url = new URL(c.url);
    } catch {
      throw new Error(`request: invalid url "${c.url.slice(0, 200)}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`request: ${url.protocol} is not allowed; use http or https`);
    if (url.username || url.password) throw new Error('request: credentials in the url are not allowed; use headers');
    const record: RequestRecord = { method, host: url.host, path: url.pathname, status: null, durationMs: 0 };
    if (!hostAllowed(url, o.allowedHosts)) {
      records.push({ ...record, error: 'host not allowed' });
      throw new Error(`request: host "${url.host}" is not in this connector's allowed hosts`);
    }
    if (++calls > o.limits.maxRequests) {
      o.onCapExceeded();
      throw new RequestCapExceeded(`request: more than ${o.limits.maxRequests} calls in one run`);
    }
    const headers = sanitizeHeaders(c.headers);
    let body: string | undefined;
    if (method === 'POST') {
      body = typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload ?? null);
      if (c.json !== false && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    if (o.dryRun) {
      records.push({ ...record, dryRun: true });
      return { statusCode: 200, response: null, headers: {} };
    }
    const literal = isIP(url.hostname.replace(/^\[|\]$/g, ''));
    if (literal) {
      const why = o.guard.refuse(url.hostname.replace(/^\[|\]$/g, ''));
      if (why) {
        records.push({ ...record, error: 'address refused' });
        throw new Error(`request: ${url.host} refused: ${why}`);
      }
    }
    const started = performance.now();
    try {
      const res = await send(url, method, headers, body, o.limits, o.guard);
      records.push({ ...record, status: res.statusCode, durationMs: round(performance.now() - started) });
      return res;
    } catch (err) {
      const message = (err as Error).message;
      records.push({ ...record, durationMs: round(performance.now() - started), error: message.slice(0, 200) });
      throw new Error(`request: ${method} ${url.host}${url.pathname} failed: ${message}`);
    }
  }

  return { call, records };
}

function round(ms: number) {
  return Math.round(ms * 100) / 100;
}

function sanitizeHeaders(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || typeof h !== 'object') return out;
  for (const [k, v] of Object.entries(h)) {
    // Only plain string headers; the host header is ours to set (the guard checked that host).
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || k.toLowerCase() === 'host') continue;
    out[k] = String(v);
  }
  return out;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, limits: Limits, guard: AddressGuard): Promise<BridgeResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      // Checked at connect time, on the address actually dialled: no DNS rebinding window.
      lookup: guard.lookup,
      timeout: limits.requestTimeoutMs,
    });
    const timedOut = () => {
      reject(new Error(`no answer within ${limits.requestTimeoutMs} ms`));
      req.destroy();
    };
    const timer = setTimeout(timedOut, limits.requestTimeoutMs);
    req.on('timeout', timedOut);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          clearTimeout(timer);
          reject(new Error(`response larger than ${limits.maxResponseBytes} bytes`));
          // Destroyed without an error: the socket has no listener left to take one.
          res.destroy();
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let response: unknown = text;
        if (/json/i.test(String(res.headers['content-type'] ?? ''))) {
          try {
            response = JSON.parse(text);
          } catch {
            // Left as text when the body is not the JSON it claims to be.
          }
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        // Redirects are returned, never followed: a hop could lead anywhere.
        resolve({ statusCode: res.statusCode ?? 0, response, headers: out });
      });
    });
    req.end(body);
  });
}

import { isIP } from 'node:net';
import { Agent, errors, request } from 'undici';
import { BlockedAddressError, guardedLookup, type AddressPolicy } from './ssrf.ts';

export type SendResult = {
  ok: boolean;
  status: number | null;
  headers: Record<string, string> | null;
  /** The first 4 KB of the response body. */
  body: string | null;
  durationMs: number;
  /** Why it failed, for operators and for retry decisions; null on success. */
  errorClass: ErrorClass | null;
  error: string | null;
  /** A Retry-After on 429/503, in ms. */
  retryAfterMs: number | null;
};

export type ErrorClass = 'http_status' | 'timeout' | 'connection_refused' | 'connection_reset' | 'dns' | 'blocked_address' | 'tls' | 'network';

const CAPTURE = 4096;

export type Sender = { send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>; close(): Promise<void> };

/**
 * POSTs with undici: a keep-alive pool per origin (at most `perOrigin` connections), the
 * SSRF guard on every connection, no redirects (undici's `request` follows none), a total
 * timeout covering connect, headers and body.
 */
export function createSender(o: { policy: AddressPolicy; timeoutMs: number; perOrigin: number; now?: () => number }): Sender {
  const now = o.now ?? (() => performance.now());
  const agent = new Agent({
    connections: o.perOrigin,
    pipelining: 1,
    connect: { lookup: guardedLookup(o.policy) as never, timeout: o.timeoutMs },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });

  async function send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = now();
    const fail = (errorClass: ErrorClass, error: string, extra: Partial<SendResult> = {}): SendResult => ({
      ok: false, status: null, headers: null, body: null, durationMs: Math.round(now() - started), errorClass, error, retryAfterMs: null, ...extra,
    });
    const u = new URL(url);
    // net.connect skips `lookup` for IP literals, so those are judged here.
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !o.policy.isAllowed(host, host)) return fail('blocked_address', `${host} is not an allowed address`);
    try {
      const res = await request(u, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', ...headers },
        body,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (size < CAPTURE) chunks.push(chunk.subarray(0, CAPTURE - size));
        size += chunk.length;
        if (size > 1024 * 1024) {
          res.body.destroy();
          break;
        }
      }
      const responseHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const retryAfter = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(responseHeaders['retry-after'], Date.now()) : null;
      return {
        ok, status: res.statusCode, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8'), durationMs: Math.round(now() - started),
        errorClass: ok ? null : 'http_status', error: ok ? null : `HTTP ${res.statusCode}`, retryAfterMs: retryAfter,
      };
    } catch (err) {
      return fail(...classify(err));
    }
  }

  return { send, close: () => agent.close() };
}

function classify(err: unknown): [ErrorClass, string] {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const message = String(inner.message ?? e.message ?? err).slice(0, 500);
  if (inner instanceof BlockedAddressError || e instanceof BlockedAddressError) return ['blocked_address', message];
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError || e instanceof errors.ConnectTimeoutError) return ['timeout', message];
  const code = inner.code ?? e.code;
  if (code === 'ECONNREFUSED') return ['connection_refused', message];
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return ['connection_reset', message];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ['dns', message];
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT'))) return ['tls', message];
  return ['network', message];
}

/** Retry-After as seconds or an HTTP date; capped at a day. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, 86_400_000);
}

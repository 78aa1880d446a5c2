import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type FileDownloadClaim = { team: string; sessionId: string; fileId: string; expiresAt: Date };

// Without FILES_URL_SECRET the key lives and dies with the process: fine for one process
// (`switchboard start`); set it when API and workers run apart.
let processKey: string | undefined;
export function fileUrlSecret(configured: string | undefined): string {
  return configured ?? (processKey ??= randomBytes(32).toString('base64url'));
}

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(`switchboard-file:${payload}`).digest('base64url');

/**
 * A short-lived bearer token for one file of one session: what a connector's sandbox gets
 * instead of storage credentials. Fetch it at `GET /v1/file-downloads/{token}`.
 */
export function createFileDownloadToken(claim: FileDownloadClaim, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claim.team, claim.sessionId, claim.fileId, claim.expiresAt.getTime()])).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The claim if the token is ours and unexpired at `now`; undefined otherwise. */
export function verifyFileDownloadToken(token: string, secret: string, now: Date): FileDownloadClaim | undefined {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const [team, sessionId, fileId, expires] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (typeof team !== 'string' || typeof sessionId !== 'string' || typeof fileId !== 'string' || typeof expires !== 'number') return undefined;
    if (expires <= now.getTime()) return undefined;
    return { team, sessionId, fileId, expiresAt: new Date(expires) };
  } catch {
    return undefined;
  }
}

/** The URL a connector fetches; `base` is SWITCHBOARD_PUBLIC_URL or the API's own address. */
export function fileDownloadUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/v1/file-downloads/${token}`;
}

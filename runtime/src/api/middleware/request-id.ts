import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/** Accepts the caller's `x-request-id` when well-formed, else makes one; echoed on every response. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && WELL_FORMED.test(given) ? given : randomUUID();
  c.set('requestId', id);
  c.set('actor', { kind: 'anonymous' });
  c.set('audit', { team: null, sessionId: null, code: null, actorId: null, platform: null });
  c.set('route', c.req.path);
  await next();
  c.res.headers.set('x-request-id', id);
};

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

/**
 * One structured line per request, carrying the same request id as the response header and
 * the audit row. Only method, route and outcome: never headers, bodies or query values.
 */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  const { deps, requestId, actor, audit } = c.var;
  if (!deps.log.isLevelEnabled('info')) return;
  deps.log.info({
    requestId, method: c.req.method, route: c.var.route, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10,
    actor: 'id' in actor ? actor.id : actor.kind, ...(audit.code ? { code: audit.code } : {}),
  }, 'request');
};

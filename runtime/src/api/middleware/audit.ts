import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppEnv } from '../context.ts';
import { ApiError, toProblem } from '../problem.ts';

function clientAddress(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}

/**
 * Writes one append-only audit row per API request, and holds the response until it is
 * durable: data never leaves without its audit row. If the row cannot be written the
 * caller gets a 503 instead of the data.
 */
export const auditTrail: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const { deps, actor, audit } = c.var;
  try {
    await deps.audit.record({
      at: deps.clock.now(),
      requestId: c.var.requestId,
      actorKind: actor.kind,
      actorId: audit.actorId ?? ('id' in actor ? actor.id : null),
      platform: audit.platform ?? (actor.kind === 'credential' ? actor.platform : null),
      team: audit.team ?? (actor.kind === 'team_admin' ? actor.team : actor.kind === 'credential' && actor.teams.length === 1 ? actor.teams[0]! : null),
      method: c.req.method,
      route: c.var.route,
      path: c.req.path,
      sessionId: audit.sessionId,
      status: c.res.status,
      code: audit.code,
      clientAddress: clientAddress(c),
    });
  } catch (error) {
    deps.log.error({ err: error, requestId: c.var.requestId }, 'audit write failed');
    const problem = toProblem(new ApiError('not_ready', 'the request could not be audited; try again'), c.var.requestId);
    c.res = new Response(JSON.stringify(problem), { status: 503, headers: { 'content-type': 'application/problem+json' } });
  }
};

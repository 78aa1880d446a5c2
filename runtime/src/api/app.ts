import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { AppEnv, Deps } from './context.ts';
import { accessLog } from './middleware/access-log.ts';
import { auditTrail } from './middleware/audit.ts';
import { authenticate } from './middleware/authenticate.ts';
import { createRateLimiter } from './middleware/rate-limit.ts';
import { requestId } from './middleware/request-id.ts';
import { ApiError, toProblem, validationError } from './problem.ts';
import { openApiYaml } from './openapi-yaml.ts';
import { honoPath, type RouteSpec } from './route.ts';
import { routes as allRoutes } from './routes/index.ts';

export function problemResponse(c: Context<AppEnv>, error: ApiError): Response {
  c.var.audit && (c.var.audit.code = error.code);
  return new Response(JSON.stringify(toProblem(error, c.var.requestId)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  });
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type');
  // Lenient on purpose: `curl -d` labels JSON as form data. Only bodies that cannot be JSON are refused.
  if (type && /^(multipart\/|application\/(xml|octet-stream)|text\/xml)/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'the request body must be application/json');
  }
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('malformed_json', 'the request body is not valid JSON');
  }
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: 'body' | 'query' | 'path'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/** Builds the HTTP app from its dependencies; `main` wires real ones, tests their own. */
export function createApp(deps: Deps, routes: RouteSpec[] = allRoutes) {
  const app = new Hono<AppEnv>();
  const rateLimit = createRateLimiter(deps.config.RATE_LIMIT_PER_SECOND, deps.config.RATE_LIMIT_BURST);

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', requestId);
  app.use('*', accessLog);
  app.use('/v1/*', auditTrail);

  for (const route of routes) {
    const limit = route.bodyLimit === 'MAX_SESSION_BYTES' ? deps.config.MAX_SESSION_BYTES : route.bodyLimit ?? 1024 * 1024;
    const handlers = [
      bodyLimit({
        maxSize: limit,
        onError: () => {
          throw new ApiError('payload_too_large', `the request body exceeds ${limit} bytes`);
        },
      }),
      async (c: Context<AppEnv>) => {
        c.set('route', route.path);
        const actor = await authenticate(c, route.access);
        c.set('actor', actor);
        if (actor.kind === 'credential') {
          const verdict = rateLimit(actor.id);
          if (!verdict.ok) {
            throw new ApiError('rate_limited', 'too many requests for this credential', {
              headers: { 'retry-after': String(verdict.retryAfterSeconds) },
            });
          }
        }
        const params = parse(route.params, c.req.param(), 'path');
        const query = parse(route.query, c.req.query(), 'query');
        const body = route.body ? parse(route.body, await readJson(c), 'body') : undefined;
        return route.handler(c, { params, query, body } as never);
      },
    ] as const;
    // Body limits only matter where there is a body to read.
    if (route.body) app.on(route.method.toUpperCase(), honoPath(route.path), ...handlers);
    else app.on(route.method.toUpperCase(), honoPath(route.path), handlers[1]);
  }

  app.get('/openapi.yaml', (c) => c.body(openApiYaml(), 200, { 'content-type': 'application/yaml; charset=utf-8' }));

  app.notFound((c) => problemResponse(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return problemResponse(c, error);
    deps.log.error({ err: error, requestId: c.var.requestId }, 'unhandled error');
    return problemResponse(c, new ApiError('internal_error', 'something went wrong on our side; the request id identifies it in our logs'));
  });
  return app;
}

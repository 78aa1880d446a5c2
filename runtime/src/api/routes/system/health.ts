import { z } from 'zod';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';

const status = z.object({ status: z.string() }).meta({ id: 'Health' });

export const healthz = defineRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'healthz',
  tag: 'System',
  summary: 'Liveness',
  description: 'The process is up and serving HTTP.',
  access: { kind: 'public' },
  responses: { 200: { description: 'Alive.', schema: status, example: { status: 'ok' } } },
  handler: (c) => c.json({ status: 'ok' }),
});

export const readyz = defineRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'readyz',
  tag: 'System',
  summary: 'Readiness',
  description: 'The database is reachable and every migration this code knows is applied.',
  access: { kind: 'public' },
  responses: { 200: { description: 'Ready.', schema: status, example: { status: 'ready' } }, 503: { description: 'Not ready.' } },
  async handler(c) {
    if (!(await c.var.deps.isReady())) throw new ApiError('not_ready', 'the database is unreachable or not migrated');
    return c.json({ status: 'ready' });
  },
});

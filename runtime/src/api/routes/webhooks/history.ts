import { z } from 'zod';
import { listAttempts, listDeliveries, listEventsWithDeliveries } from '../../../db/store/webhooks.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { pageQuery, slug } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';
import {
  attemptExample, attemptSchema, deliveryExample, deliverySchema, eventSchema, presentAttempt, presentDelivery, presentEvent, requireWebhook, webhookId,
} from './shared.ts';

const attemptPage = z.object({ attempts: z.array(attemptSchema), next: z.string().nullable() }).meta({ id: 'WebhookAttemptPage' });
const attemptQuery = z.object({
  outcome: z.enum(['succeeded', 'failed', 'abandoned']).optional(),
  cursor: z.string().regex(/^\d{1,18}$/).optional().describe('The `next` value of the previous page.'),
  ...pageQuery,
});

async function attemptsPage(c: Parameters<typeof visibleTeam>[0], f: { webhookId?: string; eventId?: string; outcome?: string; cursor?: string; limit: number }) {
  const rows = await listAttempts(c.var.deps.db, visibleTeam(c), { ...f, before: f.cursor ? Number(f.cursor) : undefined, limit: f.limit + 1 });
  const attempts = rows.slice(0, f.limit);
  return { attempts: attempts.map(presentAttempt), next: rows.length > f.limit ? String(attempts.at(-1)!.id) : null };
}

export const listWebhookAttempts = defineRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/attempts',
  operationId: 'listWebhookAttempts',
  tag: 'Webhooks',
  summary: "A webhook's delivery attempts",
  description: 'Newest first, each with the response captured (status, headers, first 4 KB of body, duration, error class). Filter by `outcome`.',
  access: { kind: 'operator' },
  params: z.object({ id: webhookId }),
  query: attemptQuery,
  responses: { 200: { description: 'One page of attempts.', schema: attemptPage, example: { attempts: [attemptExample], next: null } } },
  async handler(c, { params, query }) {
    await requireWebhook(c, params.id);
    return c.json(await attemptsPage(c, { webhookId: params.id, ...query }));
  },
});

export const listEventAttempts = defineRoute({
  method: 'get',
  path: '/v1/events/{id}/attempts',
  operationId: 'listEventAttempts',
  tag: 'Webhooks',
  summary: "An event's delivery attempts, to every webhook",
  description: 'Newest first; team admins see attempts to their own team\'s webhooks only.',
  access: { kind: 'operator' },
  params: z.object({ id: z.string().max(64) }),
  query: attemptQuery,
  responses: { 200: { description: 'One page of attempts.', schema: attemptPage, example: { attempts: [attemptExample], next: null } } },
  async handler(c, { params, query }) {
    return c.json(await attemptsPage(c, { eventId: params.id, ...query }));
  },
});

export const listWebhookDeliveries = defineRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  tag: 'Webhooks',
  summary: "A webhook's deliveries",
  description: 'Newest first; filter by `status` (`failed` ones can be retried one by one or replayed in bulk).',
  access: { kind: 'operator' },
  params: z.object({ id: webhookId }),
  query: z.object({ status: z.enum(['pending', 'succeeded', 'failed']).optional(), event: z.string().max(64).optional(), ...pageQuery }),
  responses: { 200: { description: 'The deliveries.', schema: z.object({ deliveries: z.array(deliverySchema) }).meta({ id: 'WebhookDeliveryList' }), example: { deliveries: [deliveryExample] } } },
  async handler(c, { params, query }) {
    await requireWebhook(c, params.id);
    const rows = await listDeliveries(c.var.deps.db, visibleTeam(c), { webhookId: params.id, eventId: query.event, status: query.status, limit: query.limit });
    return c.json({ deliveries: rows.map(presentDelivery) });
  },
});

export const listEvents = defineRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  tag: 'Webhooks',
  summary: 'Events, with their delivery state',
  description: 'Newest first. Each event lists its webhook deliveries and their state. Team admins see their own team only.',
  access: { kind: 'operator' },
  query: z.object({
    team: z.union([slug, z.literal('*')]).optional(), type: z.string().max(100).optional(),
    cursor: z.string().regex(/^\d{1,18}$/).optional().describe('The `next` value of the previous page.'), ...pageQuery,
  }),
  responses: {
    200: {
      description: 'One page of events.',
      schema: z.object({ events: z.array(eventSchema), next: z.string().nullable() }).meta({ id: 'EventPage' }),
      example: { events: [{ seq: 1042, id: deliveryExample.eventId, type: 'session.submitted', team: 'lambeth', flow: 'ldc', sessionId: '64608023-8592-449b-8fa0-00aed82c734c', createdAt: '2026-11-23T10:00:00.000Z', deliveries: [{ id: deliveryExample.id, webhookId: deliveryExample.webhookId, status: 'succeeded', attempts: 1, lastStatus: 204 }] }], next: null },
    },
  },
  async handler(c, { query }) {
    const own = visibleTeam(c);
    if (own && query.team && query.team !== own) throw new ApiError('team_not_found', `no team "${query.team}"`);
    const rows = await listEventsWithDeliveries(c.var.deps.db, own, { team: query.team, type: query.type, before: query.cursor ? Number(query.cursor) : undefined, limit: query.limit + 1 });
    const events = rows.slice(0, query.limit);
    return c.json({ events: events.map(presentEvent), next: rows.length > query.limit ? String(events.at(-1)!.seq) : null });
  },
});

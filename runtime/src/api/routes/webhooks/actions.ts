import { z } from 'zod';
import { open, seal } from '../../../crypto/secret-box.ts';
import { getReplay, insertReplay, insertTestDelivery, retryDelivery, rotateWebhookSecret } from '../../../db/store/webhooks.ts';
import { newId } from '../../../domain/ids.ts';
import { webhookKeyring, webhookSender } from '../../../webhooks/setup.ts';
import { newWebhookSecret, signedHeaders } from '../../../webhooks/signing.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { timestamp } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';
import {
  attemptExample, attemptSchema, deliveryExample, deliveryId, deliverySchema, presentDelivery, presentReplay, presentWebhook, replaySchema,
  requireWebhook, webhookExample, webhookId, webhookSchema,
} from './shared.ts';

const params = z.object({ id: webhookId });

export const rotateWebhookSecretRoute = defineRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  tag: 'Webhooks',
  summary: "Rotate a webhook's signing secret",
  description: 'Returns the new secret, once. Until `previousSecretExpiresAt` (SECRET_ROTATION_OVERLAP, default 24 h) every delivery carries two signatures, one per secret, so the consumer can switch at its own pace.',
  access: { kind: 'operator' },
  params,
  responses: { 200: { description: 'Rotated.', schema: z.object({ webhook: webhookSchema, secret: z.string() }).meta({ id: 'RotatedWebhookSecret' }), example: { webhook: { ...webhookExample, previousSecretExpiresAt: '2026-11-24T10:00:00.000Z' }, secret: 'whsec_Qx9n7a2b5c8d1e4f7g0h3j6k9m2p5r8t' } } },
  async handler(c, { params }) {
    const { scope } = await requireWebhook(c, params.id);
    const { deps } = c.var;
    const secret = newWebhookSecret();
    const now = deps.clock.now();
    const row = await rotateWebhookSecret(deps.db, scope, params.id, seal(secret, webhookKeyring(deps.config)), new Date(now.getTime() + deps.config.SECRET_ROTATION_OVERLAP), now);
    if (!row) throw new ApiError('not_found', `no webhook "${params.id}"`);
    return c.json({ webhook: presentWebhook(row), secret });
  },
});

export const testWebhook = defineRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/test',
  operationId: 'testWebhook',
  tag: 'Webhooks',
  summary: 'Send a test notification now',
  description: 'Sends one signed `webhook.test` notification at once (no retries) and answers with the attempt: status, headers, first 4 KB of the body, duration and error class. It is kept among the attempts, and can be retried like any delivery.',
  access: { kind: 'operator' },
  params,
  responses: { 200: { description: 'The attempt (also when the endpoint failed: see `outcome`).', schema: attemptSchema, example: { ...attemptExample, eventType: 'webhook.test', attempt: 1, outcome: 'succeeded', status: 204, headers: {}, body: '', errorClass: null, error: null } } },
  async handler(c, { params }) {
    const { webhook: w } = await requireWebhook(c, params.id);
    const { deps } = c.var;
    const now = deps.clock.now();
    const id = newId('msg');
    const eventId = newId('test');
    const body = JSON.stringify({ id: eventId, team: w.team, ...(w.config ? { config: w.config } : {}), type: 'webhook.test', timestamp: now.toISOString() });
    const keys = [open(w.secret_enc, webhookKeyring(deps.config))];
    if (w.previous_secret_enc && w.previous_expires_at && w.previous_expires_at > now) keys.push(open(w.previous_secret_enc, webhookKeyring(deps.config)));
    const sender = webhookSender(deps.config);
    let r;
    try {
      // The signature's timestamp is wall-clock time: receivers compare it with theirs.
      r = await sender.send(w.url, signedHeaders(id, new Date(), body, keys), body);
    } finally {
      void sender.close();
    }
    const result = {
      started_at: now, duration_ms: r.durationMs, outcome: (r.ok ? 'succeeded' : 'failed') as 'succeeded' | 'failed', status: r.status, headers: r.headers,
      body: r.body, error_class: r.errorClass, error: r.error,
    };
    await insertTestDelivery(deps.db, { id, webhook_id: w.id, team: w.team, event_id: eventId, event_type: 'webhook.test', body }, result, now);
    return c.json({
      id: 0, deliveryId: id, webhookId: w.id, eventId, eventType: 'webhook.test', attempt: 1, startedAt: now.toISOString(), durationMs: r.durationMs,
      outcome: result.outcome, status: r.status, headers: r.headers, body: r.body, errorClass: r.errorClass, error: r.error,
    });
  },
});

export const retryDeliveryRoute = defineRoute({
  method: 'post',
  path: '/v1/webhook-deliveries/{id}/retry',
  operationId: 'retryWebhookDelivery',
  tag: 'Webhooks',
  summary: 'Retry one delivery now',
  description: 'Queues the delivery for an immediate attempt, whatever its state, with the same `webhook-id` and body as before.',
  access: { kind: 'operator' },
  params: z.object({ id: deliveryId }),
  responses: { 202: { description: 'Queued.', schema: deliverySchema, example: { ...deliveryExample, status: 'pending', nextAttemptAt: '2026-11-23T11:00:00.000Z' } }, 404: { description: 'No such delivery.' } },
  async handler(c, { params }) {
    const row = await retryDelivery(c.var.deps.db, visibleTeam(c), params.id, c.var.deps.clock.now());
    if (!row) throw new ApiError('not_found', `no delivery "${params.id}"`);
    return c.json(presentDelivery(row), 202);
  },
});

const replayExample = { id: 'rpl_019ab0c2d3e4a1b2c3d4e5f6a7b8', webhookId: webhookExample.id, since: '2026-11-22T00:00:00.000Z', status: 'queued', total: 1200, replayed: 0, createdAt: '2026-11-23T11:00:00.000Z', finishedAt: null };

export const replayWebhook = defineRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/replays',
  operationId: 'replayWebhookFailures',
  tag: 'Webhooks',
  summary: 'Replay failed deliveries since a time',
  description: 'A background job: re-queues every delivery of this webhook that failed and was created at or after `since`, in batches. Follow it with `GET /v1/webhooks/{id}/replays/{replayId}`.',
  access: { kind: 'operator' },
  params,
  body: z.object({ since: timestamp }).meta({ id: 'WebhookReplayCreate' }),
  bodyExample: { since: '2026-11-22T00:00:00Z' },
  responses: { 202: { description: 'Accepted; runs in the background.', schema: replaySchema, example: replayExample } },
  async handler(c, { params, body }) {
    const { webhook } = await requireWebhook(c, params.id);
    const row = await insertReplay(c.var.deps.db, { id: newId('rpl'), webhook_id: webhook.id, team: webhook.team, since: new Date(body.since) }, c.var.deps.clock.now());
    return c.json(presentReplay(row), 202);
  },
});

export const getReplayRoute = defineRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/replays/{replayId}',
  operationId: 'getWebhookReplay',
  tag: 'Webhooks',
  summary: "A replay's progress",
  description: '`replayed` of `total`, and `done` when finished.',
  access: { kind: 'operator' },
  params: params.extend({ replayId: z.string().regex(/^rpl_[0-9a-f]{28}$/) }),
  responses: { 200: { description: 'The replay.', schema: replaySchema, example: { ...replayExample, status: 'done', replayed: 1200, finishedAt: '2026-11-23T11:00:04.000Z' } } },
  async handler(c, { params }) {
    const { scope } = await requireWebhook(c, params.id);
    const row = await getReplay(c.var.deps.db, scope, params.id, params.replayId);
    if (!row) throw new ApiError('not_found', `no replay "${params.replayId}"`);
    return c.json(presentReplay(row));
  },
});

import { z } from 'zod';
import { seal } from '../../../crypto/secret-box.ts';
import { deleteWebhook, insertWebhook, listWebhooks, updateWebhook } from '../../../db/store/webhooks.ts';
import { newId } from '../../../domain/ids.ts';
import { webhookKeyring } from '../../../webhooks/setup.ts';
import { newWebhookSecret } from '../../../webhooks/signing.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { visibleTeam } from '../../team-scope.ts';
import { checkUrl, checkWebhookTeam, presentWebhook, requireWebhook, webhookExample, webhookFields, webhookId, webhookSchema, webhookTeam } from './shared.ts';

const actorId = (a: { kind: string; id?: string }) => a.id ?? a.kind;

export const createWebhook = defineRoute({
  method: 'post',
  path: '/v1/webhooks',
  operationId: 'createWebhook',
  tag: 'Webhooks',
  summary: 'Subscribe a URL to events',
  description: [
    "Events reach the URL when the type matches one of `eventTypes`, the team matches (`*`: every team, operators only), the flow matches `flow`, every `teamVariables` condition holds on the event's team, and, for events about a flow, the flow has granted this webhook (`POST /v1/teams/{team}/flows/{flow}/grants` with `destinationKind: webhook`, `destination: <webhook id>`).",
    'Deliveries are signed per the Standard Webhooks specification with `secret`, shown only in this response. The body is `{ id, team, flow, paymentID, config?, type, timestamp }`; pull the session through the Integration API.',
    'Delivery is at least once, with the same `webhook-id` on every retry; no order is promised between events.',
  ].join('\n\n'),
  access: { kind: 'operator' },
  body: z.object({
    team: webhookTeam,
    url: webhookFields.url,
    description: webhookFields.description,
    eventTypes: webhookFields.eventTypes.default(['*']),
    flow: webhookFields.flow.default('*'),
    teamVariables: webhookFields.teamVariables.default({}),
    config: webhookFields.config,
  }).meta({ id: 'WebhookCreate' }),
  bodyExample: { team: 'lambeth', url: 'https://bops.example.org/switchboard/hooks', description: 'BOPS intake', eventTypes: ['session.*'], flow: '*', teamVariables: { backOffice: 'bops' }, config: { system: 'bops' } },
  responses: {
    201: { description: 'Created. `secret` is shown only now.', schema: z.object({ webhook: webhookSchema, secret: z.string().describe('`whsec_…`: give it to the consumer now; it is stored encrypted and never shown again.') }).meta({ id: 'CreatedWebhook' }), example: { webhook: webhookExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
    422: { description: 'A field is invalid, e.g. a URL that is not http(s), carries credentials or names a private address; `fields` names it.' },
  },
  async handler(c, { body }) {
    await checkWebhookTeam(c, body.team);
    checkUrl(c, body.url);
    const { deps } = c.var;
    const secret = newWebhookSecret();
    const row = await insertWebhook(deps.db, {
      id: newId('wh'), team: body.team, url: body.url, description: body.description ?? null, event_types: body.eventTypes, flow: body.flow,
      team_variables: body.teamVariables, config: body.config ?? null, secret_enc: seal(secret, webhookKeyring(deps.config)), created_by: actorId(c.var.actor as never),
    }, deps.clock.now());
    return c.json({ webhook: presentWebhook(row), secret }, 201);
  },
});

export const listWebhooksRoute = defineRoute({
  method: 'get',
  path: '/v1/webhooks',
  operationId: 'listWebhooks',
  tag: 'Webhooks',
  summary: 'List webhooks',
  description: 'Team admins see their own team\'s webhooks only; operators see all, or one team\'s with `team`.',
  access: { kind: 'operator' },
  query: z.object({ team: webhookTeam.optional() }),
  responses: { 200: { description: 'The webhooks.', schema: z.object({ webhooks: z.array(webhookSchema) }).meta({ id: 'WebhookList' }), example: { webhooks: [webhookExample] } } },
  async handler(c, { query }) {
    const rows = await listWebhooks(c.var.deps.db, visibleTeam(c), query.team);
    return c.json({ webhooks: rows.map(presentWebhook) });
  },
});

const params = z.object({ id: webhookId });

export const getWebhookRoute = defineRoute({
  method: 'get',
  path: '/v1/webhooks/{id}',
  operationId: 'getWebhook',
  tag: 'Webhooks',
  summary: 'Read a webhook',
  description: 'Including its health: `failingSince`, and why it was disabled.',
  access: { kind: 'operator' },
  params,
  responses: { 200: { description: 'The webhook.', schema: webhookSchema, example: webhookExample }, 404: { description: 'No such webhook (or not yours).' } },
  async handler(c, { params }) {
    const { webhook } = await requireWebhook(c, params.id);
    return c.json(presentWebhook(webhook));
  },
});

export const updateWebhookRoute = defineRoute({
  method: 'patch',
  path: '/v1/webhooks/{id}',
  operationId: 'updateWebhook',
  tag: 'Webhooks',
  summary: 'Change, disable or re-enable a webhook',
  description: 'Fields given replace the stored ones. `enabled: true` re-enables a webhook disabled by its health record or a 410 Gone (re-enabling is always explicit); deliveries still pending go out again.',
  access: { kind: 'operator' },
  params,
  body: z.object({
    url: webhookFields.url.optional(), description: webhookFields.description, eventTypes: webhookFields.eventTypes.optional(), flow: webhookFields.flow.optional(),
    teamVariables: webhookFields.teamVariables.optional(), config: webhookFields.config, enabled: z.boolean().optional(),
  }).meta({ id: 'WebhookUpdate' }),
  bodyExample: { enabled: true },
  responses: { 200: { description: 'The updated webhook.', schema: webhookSchema, example: webhookExample }, 404: { description: 'No such webhook.' } },
  async handler(c, { params, body }) {
    const { scope } = await requireWebhook(c, params.id);
    if (body.url !== undefined) checkUrl(c, body.url);
    const patch = {
      ...(body.url !== undefined && { url: body.url }), ...('description' in body && { description: body.description ?? null }),
      ...(body.eventTypes && { event_types: body.eventTypes }), ...(body.flow && { flow: body.flow }),
      ...(body.teamVariables && { team_variables: body.teamVariables }), ...('config' in body && { config: body.config ?? null }),
      ...(body.enabled !== undefined && { enabled: body.enabled }),
    };
    const row = await updateWebhook(c.var.deps.db, scope, params.id, patch, c.var.deps.clock.now());
    if (!row) throw new ApiError('not_found', `no webhook "${params.id}"`);
    if (body.enabled) await c.var.deps.db.query(`SELECT pg_notify('switchboard_webhooks', '')`);
    return c.json(presentWebhook(row));
  },
});

export const deleteWebhookRoute = defineRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  operationId: 'deleteWebhook',
  tag: 'Webhooks',
  summary: 'Delete a webhook',
  description: 'Its grants, pending deliveries and attempt history go with it.',
  access: { kind: 'operator' },
  params,
  responses: { 204: { description: 'Deleted.' }, 404: { description: 'No such webhook.' } },
  async handler(c, { params }) {
    const { scope } = await requireWebhook(c, params.id);
    if (!(await deleteWebhook(c.var.deps.db, scope, params.id))) throw new ApiError('not_found', `no webhook "${params.id}"`);
    return c.body(null, 204);
  },
});

import type { Context } from 'hono';
import { z } from 'zod';
import { getTeam } from '../../../db/store/teams.ts';
import { getWebhook, type AttemptRow, type DeliveryRow, type EventWithDeliveries, type ReplayRow, type WebhookRow } from '../../../db/store/webhooks.ts';
import { urlProblem } from '../../../webhooks/url-policy.ts';
import { webhookAddressPolicy } from '../../../webhooks/setup.ts';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../problem.ts';
import { slug, teamVariables, timestamp } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';

// Shapes, examples and scope checks shared by the webhook routes.

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const glob = z.string().regex(/^[A-Za-z0-9_.*-]{1,100}$/, 'letters, digits, `.`, `_`, `-` and `*` (any run of characters)');

export const webhookId = z.string().regex(/^wh_[0-9a-f]{28}$/, 'a webhook id');
export const deliveryId = z.string().regex(/^msg_[0-9a-f]{28}$/, 'a delivery id');

export const webhookSchema = z.object({
  id: z.string(),
  team: z.string().describe('The team whose events it receives, or `*` for every team.'),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.string()).describe('Globs over event types; `*` matches any run of characters.'),
  flow: z.string().describe('Glob over flow slugs.'),
  teamVariables: z.record(z.string(), z.string()).describe("Conditions on the event's team variables: all must hold."),
  config: z.record(z.string(), z.unknown()).nullable().describe('Copied into every notification as `config`.'),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: timestamp.nullable(),
  failingSince: timestamp.nullable(),
  previousSecretExpiresAt: timestamp.nullable().describe('While set and in the future, deliveries carry signatures under both the new and the previous secret.'),
  createdAt: timestamp,
  updatedAt: timestamp,
}).meta({ id: 'Webhook' });

export const presentWebhook = (w: WebhookRow) => ({
  id: w.id, team: w.team, url: w.url, description: w.description, eventTypes: w.event_types, flow: w.flow, teamVariables: w.team_variables,
  config: w.config, enabled: w.enabled, disabledReason: w.disabled_reason, disabledAt: iso(w.disabled_at), failingSince: iso(w.failing_since),
  previousSecretExpiresAt: iso(w.previous_expires_at), createdAt: w.created_at.toISOString(), updatedAt: w.updated_at.toISOString(),
});

export const webhookExample = {
  id: 'wh_019ab0c2d3e4a1b2c3d4e5f6a7b8', team: 'lambeth', url: 'https://bops.example.org/switchboard/hooks', description: 'BOPS intake',
  eventTypes: ['session.*'], flow: '*', teamVariables: { backOffice: 'bops' }, config: { system: 'bops' }, enabled: true,
  disabledReason: null, disabledAt: null, failingSince: null, previousSecretExpiresAt: null,
  createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z',
};

export const webhookFields = {
  url: z.string().max(2000).describe('http(s); no credentials; must not resolve to a private, loopback or link-local address unless the operator allows it.'),
  description: z.string().max(500).nullable().optional(),
  eventTypes: z.array(glob).min(1).max(50),
  flow: glob,
  teamVariables: teamVariables,
  config: z.record(z.string(), z.unknown()).nullable().optional()
    .refine((v) => v == null || JSON.stringify(v).length <= 4096, 'at most 4 KB of JSON'),
};

export const webhookTeam = z.union([slug, z.literal('*')]);

export const deliverySchema = z.object({
  id: z.string().describe('The `webhook-id` header: the same on every retry.'),
  webhookId: z.string(), team: z.string(), eventId: z.string(), eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']), attempts: z.number().int(), nextAttemptAt: timestamp.nullable(),
  lastStatus: z.number().int().nullable(), lastError: z.string().nullable(), createdAt: timestamp, deliveredAt: timestamp.nullable(),
}).meta({ id: 'WebhookDelivery' });

export const presentDelivery = (d: DeliveryRow) => ({
  id: d.id, webhookId: d.webhook_id, team: d.team, eventId: d.event_id, eventType: d.event_type, status: d.status as 'pending',
  attempts: d.attempts, nextAttemptAt: d.status === 'pending' ? d.next_attempt_at.toISOString() : null, lastStatus: d.last_status,
  lastError: d.last_error, createdAt: d.created_at.toISOString(), deliveredAt: iso(d.delivered_at),
});

export const deliveryExample = {
  id: 'msg_019ab0c2d3e4a1b2c3d4e5f6a7b8', webhookId: webhookExample.id, team: 'lambeth', eventId: 'evt_019ab0c2d3e4f1e2d3c4b5a69788',
  eventType: 'session.submitted', status: 'succeeded', attempts: 1, nextAttemptAt: null, lastStatus: 204, lastError: null,
  createdAt: '2026-11-23T10:00:00.010Z', deliveredAt: '2026-11-23T10:00:00.012Z',
};

export const attemptSchema = z.object({
  id: z.number().int(), deliveryId: z.string(), webhookId: z.string(), eventId: z.string(), eventType: z.string(), attempt: z.number().int(),
  startedAt: timestamp, durationMs: z.number().int(), outcome: z.enum(['succeeded', 'failed', 'abandoned']),
  status: z.number().int().nullable(), headers: z.record(z.string(), z.string()).nullable(), body: z.string().nullable().describe('The first 4 KB of the response body.'),
  errorClass: z.string().nullable().describe('`http_status`, `timeout`, `connection_refused`, `connection_reset`, `dns`, `blocked_address`, `tls`, `network`, or `worker_lost` (the sending worker stopped mid-attempt).'),
  error: z.string().nullable(),
}).meta({ id: 'WebhookAttempt' });

export const presentAttempt = (a: AttemptRow) => ({
  id: a.id, deliveryId: a.delivery_id, webhookId: a.webhook_id, eventId: a.event_id, eventType: a.event_type, attempt: a.attempt,
  startedAt: a.started_at.toISOString(), durationMs: a.duration_ms, outcome: a.outcome as 'succeeded', status: a.status, headers: a.headers,
  body: a.body, errorClass: a.error_class, error: a.error,
});

export const attemptExample = {
  id: 812, deliveryId: deliveryExample.id, webhookId: webhookExample.id, eventId: deliveryExample.eventId, eventType: 'session.submitted',
  attempt: 2, startedAt: '2026-11-23T10:00:05.020Z', durationMs: 41, outcome: 'failed', status: 503,
  headers: { 'content-type': 'text/plain', 'retry-after': '30' }, body: 'maintenance', errorClass: 'http_status', error: 'HTTP 503',
};

export const replaySchema = z.object({
  id: z.string(), webhookId: z.string(), since: timestamp, status: z.enum(['queued', 'running', 'done']),
  total: z.number().int().describe('Failed deliveries found when the replay was asked for.'), replayed: z.number().int(),
  createdAt: timestamp, finishedAt: timestamp.nullable(),
}).meta({ id: 'WebhookReplay' });

export const presentReplay = (r: ReplayRow) => ({
  id: r.id, webhookId: r.webhook_id, since: r.since.toISOString(), status: r.status as 'queued', total: r.total, replayed: r.replayed,
  createdAt: r.created_at.toISOString(), finishedAt: iso(r.finished_at),
});

export const eventSchema = z.object({
  seq: z.number().int(), id: z.string(), type: z.string(), team: z.string(), flow: z.string().nullable(), sessionId: z.string().nullable(), createdAt: timestamp,
  deliveries: z.array(z.object({ id: z.string(), webhookId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']), attempts: z.number().int(), lastStatus: z.number().int().nullable() })),
}).meta({ id: 'EventWithDeliveries' });

export const presentEvent = (e: EventWithDeliveries) => ({
  seq: e.seq, id: e.id, type: e.type, team: e.team, flow: e.flow, sessionId: e.session_id, createdAt: new Date(e.created_at).toISOString(),
  deliveries: e.deliveries.map((d) => ({ id: d.id, webhookId: d.webhook_id, status: d.status as 'pending', attempts: d.attempts, lastStatus: d.last_status })),
});

/** The webhook, if the caller may see it: a team admin gets 404 for another team's (or an all-teams) webhook. */
export async function requireWebhook(c: Context<AppEnv>, id: string) {
  const scope = visibleTeam(c);
  const w = await getWebhook(c.var.deps.db, scope, id);
  if (!w) throw new ApiError('not_found', `no webhook "${id}"`);
  c.var.audit.team = w.team === '*' ? null : w.team;
  return { webhook: w, scope };
}

/** The team a webhook may be created for by this caller: their own, any existing team, or `*` for admins. */
export async function checkWebhookTeam(c: Context<AppEnv>, team: string) {
  const actor = c.var.actor;
  if (actor.kind === 'team_admin' && team !== actor.team) {
    if (team === '*') throw new ApiError('forbidden', 'only operators may create webhooks for every team');
    throw new ApiError('team_not_found', `no team "${team}"`);
  }
  if (team !== '*') {
    c.var.audit.team = team;
    if (!(await getTeam(c.var.deps.db, team))) throw new ApiError('validation_failed', `body.team: no team "${team}"`, { fields: [{ path: 'body.team', message: `no team "${team}"`, code: 'unknown_team' }] });
  }
}

/** A URL the SSRF guard and the port policy accept, or a 422 naming `body.url`. */
export function checkUrl(c: Context<AppEnv>, url: string) {
  const config = c.var.deps.config;
  const problem = urlProblem(url, { policy: webhookAddressPolicy(config), allowedPorts: config.WEBHOOK_ALLOWED_PORTS });
  if (problem) throw new ApiError('validation_failed', `body.url: ${problem}`, { fields: [{ path: 'body.url', message: problem, code: 'invalid_url' }] });
}

import type { Queryable } from '../db/pool.ts';
import { insertDeliveries, loadFanoutContext, type NewDelivery } from '../db/store/webhooks.ts';
import { createHash } from 'node:crypto';
import type { FeedEvent } from '../events/feed.ts';
import { granted, grantKey, subscriptionMatches } from './matching.ts';
import { notificationBody } from './notification.ts';

/**
 * The event feed's handler: one delivery row per (event, matching granted webhook), written in
 * the feed's transaction, so each event fans out exactly once across crashes and processes.
 */
export async function fanOut(q: Queryable, events: FeedEvent[], now: Date): Promise<number> {
  const ctx = await loadFanoutContext(q, [...new Set(events.map((e) => e.team))]);
  if (ctx.webhooks.length === 0) return 0;
  const grants = new Set(ctx.grants.map((g) => grantKey(g.team, g.flow, g.destination)));
  const rows: NewDelivery[] = [];
  for (const e of events) {
    const vars = ctx.variables.get(e.team) ?? {};
    for (const w of ctx.webhooks) {
      const sub = { team: w.team, eventTypes: w.event_types, flow: w.flow, teamVariables: w.team_variables };
      if (!subscriptionMatches(sub, e, vars) || !granted(e, w.id, grants)) continue;
      rows.push({ id: deliveryIdFor(w.id, e.id), webhook_id: w.id, team: e.team, event_id: e.id, event_type: e.type, body: notificationBody(e, w.config) });
    }
  }
  await insertDeliveries(q, rows, now);
  return rows.length;
}

/**
 * The delivery id (the `webhook-id` header) is a function of webhook and event, so even an
 * event fanned out twice (a fan-out commit lost in a database crash, then redone) reaches the
 * consumer under one id it can de-duplicate on.
 */
export function deliveryIdFor(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}\u0000${eventId}`).digest('hex').slice(0, 28)}`;
}

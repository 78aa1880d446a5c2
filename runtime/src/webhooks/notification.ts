import type { FeedEvent } from '../events/feed.ts';

/**
 * The notification body: the event's light payload (for sessions `{id, team, flow, paymentID}`,
 * never personal data), the webhook's `config` where it has one, the type and the event's time.
 * Fixed at fan-out, so every retry sends the same bytes.
 */
export function notificationBody(e: Pick<FeedEvent, 'type' | 'payload' | 'created_at'>, config: Record<string, unknown> | null): string {
  return JSON.stringify({ ...e.payload, ...(config ? { config } : {}), type: e.type, timestamp: new Date(e.created_at).toISOString() });
}

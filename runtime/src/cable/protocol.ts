import { z } from 'zod';
import type { FeedEvent } from '../events/feed.ts';

// The ActionCable wire protocol (subprotocol actioncable-v1-json), so any ActionCable client works.

export const SUBPROTOCOL = 'actioncable-v1-json';

export const clientFrame = z.object({
  command: z.enum(['subscribe', 'unsubscribe', 'message']),
  identifier: z.string().min(2).max(4000),
  data: z.string().max(10_000).optional(),
});

export const eventChannelIdentifier = z.object({
  channel: z.literal('EventChannel'),
  events: z.string().min(1).max(2000).describe('Comma-separated event-type patterns, e.g. "session.submitted,session.*".'),
  since: z.string().max(100).optional().describe('Replay stored events after this event id or ISO time, then go live.'),
  ack: z.boolean().optional().describe('Deliver until acknowledged; on reconnect unacknowledged events come first.'),
  name: z.string().min(1).max(100).optional().describe('Names the acknowledged position; defaults to the events list.'),
});

export const ackMessage = z.object({ action: z.literal('ack'), id: z.string().min(1).max(100) });

export type Frame =
  | { type: 'welcome' }
  | { type: 'ping'; message: number }
  | { type: 'disconnect'; reason: string; reconnect: boolean }
  | { type: 'confirm_subscription' | 'reject_subscription'; identifier: string }
  | { identifier: string; message: unknown };

/** One event as a subscriber receives it. */
export function eventMessage(event: FeedEvent, publicUrl: string, now: Date) {
  return {
    id: event.id,
    timestamp: event.created_at.toISOString(),
    name: event.type,
    version: '1',
    payload: event.payload,
    link: event.session_id ? `${publicUrl}/v1/sessions/${encodeURIComponent(event.session_id)}` : null,
    received_at: now.toISOString(),
    subject: event.team,
  };
}

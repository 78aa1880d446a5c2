import WebSocket from 'ws';

/** One event as Switchboard's websocket delivers it (the ActionCable `message`). */
export type SwitchboardEvent = {
  id: string;
  timestamp: string;
  name: string;
  version: string;
  /** The light notification: `{ id, team, flow, paymentID }`. Pull the session with it. */
  payload: { id: string; team: string; flow: string; paymentID: string | null; [key: string]: unknown };
  link: string | null;
  received_at: string;
  subject: string;
};

export type SubscribeEventsOptions = {
  /** The Integration API's base URL, or several (other processes) to fail over between. */
  url: string | string[];
  credential: { key: string; secret: string };
  /** Event-type patterns, e.g. `['session.submitted']` or `['session.*']`. */
  events: string[];
  /** Replay stored events after this event id or ISO time first. */
  since?: string;
  /** Acknowledge each event once `onEvent` resolved; after a reconnect, unacknowledged ones come again. */
  ack?: boolean;
  /** Names the acknowledged position (defaults to the events list). */
  name?: string;
  /** Called in order, one at a time; with `ack`, a throw leaves the event unacknowledged. */
  onEvent: (event: SwitchboardEvent) => unknown;
  onError?: (error: Error) => void;
  /** Called with each (re)connection's state changes. */
  onStatus?: (status: 'connected' | 'subscribed' | 'disconnected') => void;
};

const PROTOCOL = 'actioncable-v1-json';

/**
 * Receives events live over Switchboard's websocket (ActionCable protocol), reconnecting with
 * backoff (to the next URL when several are given) and resuming: from the acknowledged position
 * with `ack`, else after the last event seen. `close()` stops it for good.
 */
export function subscribeEvents(options: SubscribeEventsOptions): { close(): void } {
  const urls = (Array.isArray(options.url) ? options.url : [options.url]).map((u) => `${u.replace(/^http/, 'ws').replace(/\/$/, '')}/v1/cable`);
  const authorization = `Basic ${Buffer.from(`${options.credential.key}:${options.credential.secret}`).toString('base64')}`;
  let attempt = 0;
  let lastSeen = options.since;
  let closed = false;
  let socket: WebSocket | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();

  // With `ack` the server resumes from the acknowledged position (and uses `since` only before
  // the first one); without it, a reconnect asks for what came after the last event seen.
  const identifier = () =>
    JSON.stringify({
      channel: 'EventChannel',
      events: options.events.join(','),
      ...(options.ack
        ? { ack: true, ...(options.name ? { name: options.name } : {}), ...(options.since ? { since: options.since } : {}) }
        : lastSeen ? { since: lastSeen } : {}),
    });

  function connect() {
    if (closed) return;
    const ws = new WebSocket(urls[attempt % urls.length]!, [PROTOCOL], { headers: { authorization } });
    socket = ws;
    let id = '';
    // A silent connection (no ping for 10 s) is dead even if TCP has not noticed.
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => ws.terminate(), 10_000);
    };
    ws.on('open', () => {
      alive();
      options.onStatus?.('connected');
    });
    ws.on('message', (data) => {
      alive();
      let frame: any;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (frame.type === 'welcome') {
        id = identifier();
        ws.send(JSON.stringify({ command: 'subscribe', identifier: id }));
      } else if (frame.type === 'confirm_subscription') {
        attempt = 0;
        options.onStatus?.('subscribed');
      } else if (frame.type === 'reject_subscription') {
        options.onError?.(new Error('the subscription was rejected (unknown channel, bad pattern, or no grant)'));
        close();
      } else if (frame.type === 'disconnect' && frame.reconnect === false) {
        options.onError?.(new Error(`disconnected by the server: ${frame.reason}`));
        close();
      } else if (frame.identifier && frame.message) {
        const event = frame.message as SwitchboardEvent;
        queue = queue.then(async () => {
          try {
            await options.onEvent(event);
            lastSeen = event.id;
            if (options.ack && ws.readyState === WebSocket.OPEN) {
              ws.send(JSON.stringify({ command: 'message', identifier: id, data: JSON.stringify({ action: 'ack', id: event.id }) }));
            }
          } catch (error) {
            options.onError?.(error instanceof Error ? error : new Error(String(error)));
          }
        });
      }
    });
    ws.on('error', (error) => options.onError?.(error));
    ws.on('close', () => {
      clearTimeout(watchdog);
      options.onStatus?.('disconnected');
      if (closed) return;
      attempt++;
      const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    });
  }

  function close() {
    closed = true;
    clearTimeout(watchdog);
    socket?.close();
  }

  connect();
  return { close };
}

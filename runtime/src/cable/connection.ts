import type { WebSocket } from 'ws';
import type { Db } from '../db/pool.ts';
import { eventPosition, getAckPosition, replayEvents, saveAckPosition, startAckPosition, type Position } from '../db/store/cable.ts';
import type { FeedEvent } from '../db/store/event-feed.ts';
import { compileEventPatterns, parseEventPatternList } from '../events/patterns.ts';
import type { Logger } from '../log.ts';
import { ackMessage, clientFrame, eventChannelIdentifier, type Frame } from './protocol.ts';

export type CableCredential = { id: string; platform: string; team: string };

export type ConnectionContext = {
  db: Db;
  log: Logger;
  now: () => Date;
  publicUrl: string;
  maxBufferedBytes: number;
  tailPosition: () => Position;
  /** An event's `message` as JSON, serialised once however many sockets receive it. */
  messageJson: (event: FeedEvent) => string;
  /** Resolves once this connection's team grants are known; subscriptions wait for it. */
  ready: Promise<void>;
  isGranted: (team: string, platform: string, flow: string | null) => boolean;
  hasAnyGrant: (team: string, platform: string) => boolean;
};

type Subscription = {
  identifier: string;
  matches: (type: string) => boolean;
  ackName: string | undefined;
  /** Live events held back while the replay runs. */
  buffer: FeedEvent[] | undefined;
  /**
   * Where the subscriber's stream starts. This process's tail can be behind it (the subscriber
   * names an event the tail has not read yet), so live events at or before it are skipped too.
   */
  floor: { after?: Position; since?: Date } | undefined;
};

const afterPosition = (e: FeedEvent, p: Position) => {
  const tx = BigInt(e.tx);
  const ptx = BigInt(p.tx);
  return tx > ptx || (tx === ptx && e.seq > p.seq);
};

/** One socket speaking ActionCable: subscriptions, replay, acknowledgement, backpressure. */
export function createConnection(ws: WebSocket, credential: CableCredential, ctx: ConnectionContext) {
  const subs = new Map<string, Subscription>();
  let closed = false;

  let replaying = 0;
  const send = (frame: Frame) => sendRaw(JSON.stringify(frame));
  function sendRaw(text: string) {
    if (closed) return;
    ws.send(text);
    // A client that does not read would make us buffer without bound: cut it off, loudly.
    // (A replay paces itself instead: it waits for the buffer to drain between batches.)
    if (replaying === 0 && ws.bufferedAmount > ctx.maxBufferedBytes) disconnect('slow_consumer', true);
  }

  /** Waits until the client has read what was sent; a client that stays stuck is cut off. */
  async function drained() {
    for (let waited = 0; !closed && ws.bufferedAmount > ctx.maxBufferedBytes / 2; waited += 10) {
      if (waited > 30_000) return disconnect('slow_consumer', true);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  function disconnect(reason: string, reconnect: boolean) {
    if (closed) return;
    ws.send(JSON.stringify({ type: 'disconnect', reason, reconnect } satisfies Frame));
    closed = true;
    ws.close(reconnect ? 1012 : 1008, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
  }

  function deliver(sub: Subscription, event: FeedEvent) {
    if (event.team !== credential.team || !sub.matches(event.type) || !ctx.isGranted(event.team, credential.platform, event.flow)) return;
    if (sub.floor?.after && !afterPosition(event, sub.floor.after)) return;
    if (sub.floor?.since && event.created_at <= sub.floor.since) return;
    sendRaw(`{"identifier":${JSON.stringify(sub.identifier)},"message":${ctx.messageJson(event)}}`);
  }

  async function replay(sub: Subscription, from: { after?: Position; since?: Date }) {
    const until = ctx.tailPosition();
    let after = from.after;
    replaying++;
    try {
      for (;;) {
        const events = await replayEvents(ctx.db, { team: credential.team, ...(after ? { after } : from.since ? { since: from.since } : {}), until, limit: 500 });
        for (const e of events) deliver(sub, e);
        await drained();
        if (events.length < 500 || closed) break;
        const last = events.at(-1)!;
        after = { tx: last.tx, seq: last.seq };
      }
    } finally {
      replaying--;
    }
  }

  async function subscribe(identifier: string) {
    const reject = () => send({ type: 'reject_subscription', identifier });
    let parsed;
    try {
      parsed = eventChannelIdentifier.safeParse(JSON.parse(identifier));
    } catch {
      return reject();
    }
    if (!parsed.success || subs.has(identifier)) return reject();
    await ctx.ready;
    const patterns = parseEventPatternList(parsed.data.events);
    if (!patterns || !ctx.hasAnyGrant(credential.team, credential.platform)) return reject();

    let from: { after?: Position; since?: Date } | undefined;
    const since = parsed.data.since;
    if (since !== undefined) {
      if (/^evt_/.test(since)) {
        const at = await eventPosition(ctx.db, credential.team, since);
        if (!at) return reject();
        from = { after: at };
      } else if (!Number.isNaN(Date.parse(since))) {
        from = { since: new Date(since) };
      } else {
        return reject();
      }
    }
    const ackName = parsed.data.ack ? parsed.data.name ?? parsed.data.events : undefined;
    if (ackName) {
      const acked = await getAckPosition(ctx.db, credential.id, ackName);
      if (acked) from = { after: acked };
      else await startAckPosition(ctx.db, { credentialId: credential.id, name: ackName, at: from?.after ?? ctx.tailPosition() });
    }

    const sub: Subscription = { identifier, matches: compileEventPatterns(patterns), ackName, buffer: from ? [] : undefined, floor: from };
    subs.set(identifier, sub);
    send({ type: 'confirm_subscription', identifier });
    if (!from) return;
    await replay(sub, from);
    const held = sub.buffer ?? [];
    sub.buffer = undefined;
    for (const e of held) deliver(sub, e);
  }

  async function onMessage(raw: string) {
    let frame;
    try {
      frame = clientFrame.safeParse(JSON.parse(raw));
    } catch {
      return; // malformed frames are ignored, as ActionCable servers do
    }
    if (!frame.success) return;
    const { command, identifier, data } = frame.data;
    if (command === 'subscribe') return subscribe(identifier);
    if (command === 'unsubscribe') {
      subs.delete(identifier);
      return;
    }
    const sub = subs.get(identifier);
    if (!sub?.ackName || !data) return;
    let ack;
    try {
      ack = ackMessage.safeParse(JSON.parse(data));
    } catch {
      return;
    }
    if (ack.success) await saveAckPosition(ctx.db, { credentialId: credential.id, name: sub.ackName, team: credential.team, eventId: ack.data.id });
  }

  ws.on('message', (data) => {
    onMessage(data.toString()).catch((err) => ctx.log.warn({ err }, 'cable message failed'));
  });
  ws.on('close', () => {
    closed = true;
  });
  send({ type: 'welcome' });

  return {
    credential,
    isClosed: () => closed,
    onEvents(events: FeedEvent[]) {
      for (const sub of subs.values()) {
        if (sub.buffer) sub.buffer.push(...events.filter((e) => e.team === credential.team));
        else for (const e of events) deliver(sub, e);
      }
    },
    ping: () => send({ type: 'ping', message: Math.floor(ctx.now().getTime() / 1000) }),
    disconnect,
  };
}

export type Connection = ReturnType<typeof createConnection>;

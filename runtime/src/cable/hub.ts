import type { WebSocket } from 'ws';
import type { Db } from '../db/pool.ts';
import { platformGrants, revokedCredentials } from '../db/store/cable.ts';
import type { Logger } from '../log.ts';
import type { FeedEvent } from '../db/store/event-feed.ts';
import { createConnection, type CableCredential, type Connection } from './connection.ts';
import { eventMessage } from './protocol.ts';
import type { LiveTail } from './live-tail.ts';

/**
 * Every socket this process holds. One live tail feeds them all; once a second one query
 * refreshes the grants of the connected teams and one finds revoked credentials, so a
 * withdrawn grant or a revoked credential takes effect within a second on every process.
 */
export function createCableHub(o: { db: Db; log: Logger; tail: LiveTail; now: () => Date; publicUrl: string; maxBufferedBytes: number; pingMs?: number; checkMs?: number }) {
  const byTeam = new Map<string, Set<Connection>>();
  /** Settles once a team's grants were loaded after its first socket arrived. */
  const teamReady = new Map<string, Promise<void>>();
  let grants = new Map<string, Set<string>>(); // `${team}\u0000${platform}` → flows

  const key = (team: string, platform: string) => `${team}\u0000${platform}`;
  // One event goes to many sockets: serialise it once (received_at is when it left this process).
  const serialised = new WeakMap<FeedEvent, string>();
  const messageJson = (event: FeedEvent) => {
    let json = serialised.get(event);
    if (json === undefined) serialised.set(event, (json = JSON.stringify(eventMessage(event, o.publicUrl, o.now()))));
    return json;
  };
  const all = () => [...byTeam.values()].flatMap((s) => [...s]);

  // Refreshes run one after another, so a newer view is never overwritten by an older one.
  let queue: Promise<void> = Promise.resolve();
  let queued = false;
  function refresh(): Promise<void> {
    if (queued) return queue;
    queued = true;
    queue = queue.then(() => {
      queued = false;
      return load();
    });
    return queue;
  }

  async function load() {
    const teams = [...byTeam.keys()];
    if (teams.length === 0) return;
    const next = new Map<string, Set<string>>();
    for (const g of await platformGrants(o.db, teams)) {
      const k = key(g.team, g.destination);
      if (!next.has(k)) next.set(k, new Set());
      next.get(k)!.add(g.flow);
    }
    grants = next;
    const conns = all();
    const revoked = new Set(await revokedCredentials(o.db, [...new Set(conns.map((c) => c.credential.id))], o.now()));
    for (const c of conns) if (revoked.has(c.credential.id)) c.disconnect('unauthorized', false);
  }

  const unlisten = o.tail.onEvents((events) => {
    const teams = new Set(events.map((e) => e.team));
    for (const team of teams) for (const c of byTeam.get(team) ?? []) c.onEvents(events);
  });
  const pinger = setInterval(() => all().forEach((c) => c.ping()), o.pingMs ?? 3000);
  const checker = setInterval(() => {
    refresh().catch((err) => o.log.warn({ err }, 'cable refresh failed'));
  }, o.checkMs ?? 1000);

  return {
    accept(ws: WebSocket, credential: CableCredential) {
      // The connection listens at once (a client may subscribe in its first packet); its
      // subscriptions wait until this team's grants are loaded.
      if (!byTeam.has(credential.team)) {
        byTeam.set(credential.team, new Set());
        teamReady.set(credential.team, refresh());
      }
      const conn = createConnection(ws, credential, {
        messageJson,
        ready: teamReady.get(credential.team)!,
        db: o.db, log: o.log, now: o.now, publicUrl: o.publicUrl, maxBufferedBytes: o.maxBufferedBytes,
        tailPosition: o.tail.position,
        isGranted: (team, platform, flow) => flow !== null && (grants.get(key(team, platform))?.has(flow) ?? false),
        hasAnyGrant: (team, platform) => (grants.get(key(team, platform))?.size ?? 0) > 0,
      });
      byTeam.get(credential.team)!.add(conn);
      ws.on('close', () => {
        const set = byTeam.get(credential.team);
        set?.delete(conn);
        if (set?.size === 0) {
          byTeam.delete(credential.team);
          teamReady.delete(credential.team);
        }
      });
    },
    size: () => all().length,
    /** Tells every client to come back (to another process) and closes the sockets. */
    close() {
      clearInterval(pinger);
      clearInterval(checker);
      unlisten();
      for (const c of all()) c.disconnect('server_restart', true);
    },
  };
}

export type CableHub = ReturnType<typeof createCableHub>;

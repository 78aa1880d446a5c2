import type { WebSocket } from 'ws';
import type { Db } from '../db/pool.ts';
import { platformGrants, revokedCredentials } from '../db/store/cable.ts';
import type { Logger } from '../log.ts';
import { createConnection, type CableCredential, type Connection } from './connection.ts';
import type { LiveTail } from './live-tail.ts';

/**
 * Every socket this process holds. One live tail feeds them all; once a second one query
 * refreshes the grants of the connected teams and one finds revoked credentials, so a
 * withdrawn grant or a revoked credential takes effect within a second on every process.
 */
export function createCableHub(o: { db: Db; log: Logger; tail: LiveTail; now: () => Date; publicUrl: string; maxBufferedBytes: number; pingMs?: number; checkMs?: number }) {
  const byTeam = new Map<string, Set<Connection>>();
  let grants = new Map<string, Set<string>>(); // `${team}\u0000${platform}` → flows

  const key = (team: string, platform: string) => `${team}\u0000${platform}`;
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
      let ready: Promise<void> = Promise.resolve();
      if (!byTeam.has(credential.team)) {
        byTeam.set(credential.team, new Set());
        ready = refresh();
      }
      const conn = createConnection(ws, credential, {
        ready,
        db: o.db, log: o.log, now: o.now, publicUrl: o.publicUrl, maxBufferedBytes: o.maxBufferedBytes,
        tailPosition: o.tail.position,
        isGranted: (team, platform, flow) => flow !== null && (grants.get(key(team, platform))?.has(flow) ?? false),
        hasAnyGrant: (team, platform) => (grants.get(key(team, platform))?.size ?? 0) > 0,
      });
      byTeam.get(credential.team)!.add(conn);
      ws.on('close', () => {
        const set = byTeam.get(credential.team);
        set?.delete(conn);
        if (set?.size === 0) byTeam.delete(credential.team);
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

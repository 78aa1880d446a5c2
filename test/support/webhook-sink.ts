import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { n: number; at: number; headers: IncomingMessage['headers']; body: string };

/** What the sink does with its n-th request (1-based): answer, hang, drop the socket, or answer late. */
export type Behaviour = (n: number, req: Received) =>
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'hang'
  | 'close';

/** A real HTTP server on loopback that records every request it gets. */
export async function startSink(behaviour: Behaviour = () => ({ status: 204 })) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { n: received.length + 1, at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => void inFlight--;
      const b = behaviour(r.n, r);
      if (b === 'hang') {
        hung.add(res);
        res.on('close', done);
        return;
      }
      if (b === 'close') {
        done();
        req.socket.destroy();
        return;
      }
      setTimeout(() => {
        res.writeHead(b.status, b.headers).end(b.body ?? '');
        done();
      }, b.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export type Sink = Awaited<ReturnType<typeof startSink>>;

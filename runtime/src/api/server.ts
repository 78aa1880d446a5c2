import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';

/** Listens; `close` stops accepting, lets in-flight requests finish, then resolves. */
export async function listen(app: Hono<AppEnv>, host: string, port: number) {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight ones are left to finish.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}

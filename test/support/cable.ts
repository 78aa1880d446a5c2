import WebSocket from 'ws';
import { startCable } from '../../runtime/src/cable/index.ts';
import { listen } from '../../runtime/src/api/server.ts';
import { createNotifier } from '../../runtime/src/events/notifier.ts';
import type { Server } from 'node:http';
import type { TestRuntime } from './runtime.ts';

/** Serves a test runtime's app on loopback with websocket delivery attached. */
export async function serveWithCable(rt: TestRuntime) {
  const server = await listen(rt.app, '127.0.0.1', 0);
  const notifier = createNotifier(rt.databaseUrl, rt.deps.log);
  await notifier.start();
  const cable = await startCable({ deps: rt.deps, server: server.server as Server, notifier, publicUrl: server.url });
  return {
    url: server.url,
    wsUrl: server.url.replace('http', 'ws') + '/v1/cable',
    hub: cable.hub,
    async close() {
      await cable.stop();
      await notifier.close();
      await server.close();
    },
  };
}

/** Just enough browser for the official @rails/actioncable client to run in Node. */
export function installBrowserStubs() {
  const g = globalThis as Record<string, unknown>;
  g.document ??= { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} };
  g.addEventListener ??= () => {};
  g.removeEventListener ??= () => {};
}

/** A `ws` WebSocket that sends Basic auth on the upgrade, for clients that only pass (url, protocols). */
export function webSocketWithBasicAuth(key: string, secret: string) {
  const authorization = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization } });
    }
  };
}

/** A raw protocol client for tests that need to misbehave or watch frames closely. */
export async function rawClient(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(url, ['actioncable-v1-json'], { headers });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws, frames, closed,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    messages: () => frames.filter((f) => f.identifier && f.message), // pings carry a `message` too
  };
}

import type { Server } from 'node:http';
import type { Deps } from '../api/context.ts';
import type { Notifier } from '../events/notifier.ts';
import { createCableHub } from './hub.ts';
import { startLiveTail } from './live-tail.ts';
import { attachCable } from './server.ts';

/** Websocket delivery on an API process: a live tail of the events table feeding the sockets it holds. */
export async function startCable(o: { deps: Deps; server: Server; notifier: Notifier; publicUrl: string }) {
  const { deps } = o;
  const tail = await startLiveTail({ db: deps.db, notifier: o.notifier, log: deps.log });
  const hub = createCableHub({
    db: deps.db, log: deps.log, tail, now: () => deps.clock.now(), publicUrl: o.publicUrl,
    maxBufferedBytes: deps.config.CABLE_MAX_BUFFERED_BYTES,
  });
  const cable = attachCable(o.server, deps, hub);
  return {
    hub,
    async stop() {
      cable.close();
      await tail.stop();
    },
  };
}

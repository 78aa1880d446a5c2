import type { Logger } from '../log.ts';
import type { Notifier } from './notifier.ts';

export type WakeableLoop = { wake(): void; stop(): Promise<void> };

/**
 * Runs `step` whenever a NOTIFY on `channel` arrives, and at least every `pollMs`.
 * `step` returns how much it did; a full batch runs again at once. After a wake-up that found
 * nothing, it looks again a few times within milliseconds: a notification can arrive while the
 * inserting transaction is still inside the snapshot horizon.
 */
export async function startWakeableLoop(o: {
  step: () => Promise<number>; full: number; pollMs: number; log: Logger; name: string; notifier?: Notifier; channel?: string;
}): Promise<WakeableLoop> {
  let stopped = false;
  let woken = false;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
      if (woken || stopped) done();
    });

  const poke = () => {
    woken = true;
    wake?.();
  };
  const unlisten = o.notifier && o.channel ? await o.notifier.listen(o.channel, poke) : undefined;

  const loop = (async () => {
    let chase = 0;
    while (!stopped) {
      woken = false;
      try {
        const n = await o.step();
        if (n >= o.full) continue;
        if (n === 0 && chase > 0) {
          chase--;
          await sleep(5);
          continue;
        }
        chase = 0;
        await sleep(o.pollMs);
        if (woken) chase = 4;
      } catch (err) {
        o.log.error({ err, loop: o.name }, 'loop step failed; retrying');
        await sleep(Math.min(o.pollMs, 1000));
      }
    }
  })();

  return {
    wake: poke,
    async stop() {
      stopped = true;
      unlisten?.();
      wake?.();
      await loop;
    },
  };
}

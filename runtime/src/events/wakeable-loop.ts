import type { Logger } from '../log.ts';
import type { Notifier } from './notifier.ts';

export type WakeableLoop = { wake(): void; stop(): Promise<void> };

/**
 * A sleep that a wake-up cuts short. A wake-up that arrives while the loop is busy is
 * remembered, so the next sleep returns at once: none is lost between two checks.
 */
export function createWakeableSleep() {
  let woken = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  return {
    /** Whether a wake-up came since the last `clear()`. */
    woken: () => woken,
    clear() {
      woken = false;
    },
    wake() {
      woken = true;
      wake?.();
    },
    stop() {
      stopped = true;
      wake?.();
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          wake = undefined;
          resolve();
        }
        wake = done;
        if (woken || stopped) done();
      }),
  };
}

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
  const nap = createWakeableSleep();
  const unlisten = o.notifier && o.channel ? await o.notifier.listen(o.channel, nap.wake) : undefined;

  const loop = (async () => {
    let chase = 0;
    while (!stopped) {
      nap.clear();
      try {
        const n = await o.step();
        if (n >= o.full) continue;
        if (n === 0 && chase > 0) {
          chase--;
          await nap.sleep(5);
          continue;
        }
        chase = 0;
        await nap.sleep(o.pollMs);
        if (nap.woken()) chase = 4;
      } catch (err) {
        o.log.error({ err, loop: o.name }, 'loop step failed; retrying');
        await nap.sleep(Math.min(o.pollMs, 1000));
      }
    }
  })();

  return {
    wake: nap.wake,
    async stop() {
      stopped = true;
      unlisten?.();
      nap.stop();
      await loop;
    },
  };
}

import type { Clock } from '../clock.ts';
import { wakeEventFeeds } from '../events/wake.ts';
import { createWakeableSleep } from '../events/wakeable-loop.ts';
import { open, type Keyring } from '../crypto/secret-box.ts';
import type { Db } from '../db/pool.ts';
import { claimDue, disableWebhooks, markFailing, markHealthy, recordAttempts, releaseClaims, runReplayBatch, type AttemptResult, type ClaimedDelivery } from '../db/store/webhooks.ts';
import { newId } from '../domain/ids.ts';
import type { Notifier } from '../events/notifier.ts';
import type { Logger } from '../log.ts';
import { nextStep, type RetryPolicy } from './retry.ts';
import type { Sender } from './sender.ts';
import { signedHeaders } from './signing.ts';

export const WEBHOOKS_CHANNEL = 'switchboard_webhooks';

/**
 * Deliveries claimed per endpoint beyond those in flight, queued here: a finished send starts the
 * next at once instead of waiting for a database round trip. Leases must cover the wait
 * (see `leaseFor`).
 */
export const PREFETCH = 2;

/** A lease long enough for a queued delivery to wait behind a full round of timed-out sends, and be sent. */
export const leaseFor = (configured: number, timeoutMs: number) => Math.max(configured, timeoutMs * (PREFETCH + 1) + 1000);

export type DeliveryLoopOptions = {
  db: Db; log: Logger; clock: Clock; notifier: Notifier; keyring: Keyring; sender: Sender; retry: RetryPolicy;
  /** How long a claim holds a delivery: longer than the send timeout; after it, another worker may retry. */
  leaseMs: number;
  pollMs: number;
  perEndpoint: number;
  concurrency: number;
  disableAfterMs: number;
  replayBatch?: number;
};

/**
 * Sends due deliveries: claims them (SKIP LOCKED, under a lease), sends up to `concurrency` at
 * once with at most `perEndpoint` per webhook, records attempts in batches, schedules retries.
 * Woken by NOTIFY when deliveries appear, by its own timers when retries fall due, and by a
 * poll as the floor (retries scheduled by another process, lost notifications).
 */
export async function startDeliveryLoop(o: DeliveryLoopOptions) {
  // Per webhook: claimed and not yet finished (queued + sending), and sending now.
  const held = new Map<string, number>();
  const sending = new Map<string, number>();
  const queues = new Map<string, ClaimedDelivery[]>();
  let heldTotal = 0;
  let inflight = 0;
  let stopped = false;
  const nap = createWakeableSleep();
  const pending: { d: ClaimedDelivery; result: AttemptResult }[] = [];
  const failingKnown = new Map<string, boolean>();
  const secrets = new Map<string, string>();
  let flushing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Infinity;
  let lastHealthCheck = 0;

  const poke = nap.wake;

  function wakeAt(at: number) {
    if (at >= retryAt) return;
    clearTimeout(retryTimer);
    retryAt = at;
    retryTimer = setTimeout(() => {
      retryAt = Infinity;
      poke();
    }, Math.max(0, at - Date.now()));
  }

  const secret = (sealed: string) => {
    let s = secrets.get(sealed);
    if (s === undefined) secrets.set(sealed, (s = open(sealed, o.keyring)));
    return s;
  };

  async function deliver(d: ClaimedDelivery) {
    const now = o.clock.now();
    const keys = [secret(d.secret_enc)];
    if (d.previous_secret_enc && d.previous_expires_at && d.previous_expires_at > now) keys.push(secret(d.previous_secret_enc));
    failingKnown.set(d.webhook_id, d.failing_since !== null);
    let result: AttemptResult;
    try {
      // The signature's timestamp is wall-clock time whatever the injected clock says: receivers compare it with theirs.
      const r = await o.sender.send(d.url, signedHeaders(d.id, new Date(), d.body, keys), d.body);
      const step = nextStep(o.retry, d.attempts, r);
      const gone = r.status === 410;
      result = {
        delivery_id: d.id, webhook_id: d.webhook_id, team: d.team, attempt: d.attempts, started_at: now, duration_ms: r.durationMs,
        outcome: r.ok ? 'succeeded' : 'failed', status: r.status, headers: r.headers, body: r.body, error_class: r.errorClass, error: r.error,
        next_status: gone ? 'failed' : step.status,
        next_attempt_at: step.status === 'pending' && !gone ? new Date(now.getTime() + step.delayMs) : null,
      };
    } catch (err) {
      // Our own fault (a secret that will not open, say): retried like a failed send, and logged.
      o.log.error({ err, delivery: d.id }, 'webhook delivery could not be attempted');
      const step = nextStep(o.retry, d.attempts, { ok: false, retryAfterMs: null });
      result = {
        delivery_id: d.id, webhook_id: d.webhook_id, team: d.team, attempt: d.attempts, started_at: now, duration_ms: 0, outcome: 'failed',
        status: null, headers: null, body: null, error_class: 'internal', error: String((err as Error).message ?? err).slice(0, 500),
        next_status: step.status, next_attempt_at: step.status === 'pending' ? new Date(now.getTime() + step.delayMs) : null,
      };
    }
    pending.push({ d, result });
    inflight--;
    heldTotal--;
    decrement(sending, d.webhook_id);
    decrement(held, d.webhook_id);
    dispatch();
    scheduleFlush();
  }

  /** Results are recorded in batches: whatever finished meanwhile goes in the next statement. */
  function scheduleFlush() {
    flushing ??= (async () => {
      await new Promise<void>((r) => setImmediate(r));
      while (pending.length) await flush();
    })().finally(() => {
      flushing = undefined;
    });
  }

  async function flush() {
    const batch = pending.splice(0, pending.length);
    if (batch.length === 0) return;
    const now = o.clock.now();
    try {
      await recordAttempts(o.db, batch.map((b) => b.result), now);
    } catch (err) {
      // Kept for the next flush; if this process dies first, the lease runs out and another retries.
      o.log.warn({ err, attempts: batch.length }, 'could not record webhook attempts; will retry');
      pending.unshift(...batch);
      await new Promise((r) => setTimeout(r, Math.min(o.pollMs, 500)));
      return;
    }
    try {
      const healthy = new Set<string>(), failing = new Set<string>(), gone = new Set<string>();
      let anyFailure = false;
      for (const { result: r } of batch) {
        if (r.outcome === 'succeeded') {
          if (failingKnown.get(r.webhook_id)) healthy.add(r.webhook_id);
          failingKnown.set(r.webhook_id, false);
        } else {
          anyFailure = true;
          if (!failingKnown.get(r.webhook_id)) failing.add(r.webhook_id);
          failingKnown.set(r.webhook_id, true);
          if (r.status === 410) gone.add(r.webhook_id);
        }
        if (r.next_attempt_at) wakeAt(r.next_attempt_at.getTime() - now.getTime() + Date.now());
      }
      for (const id of healthy) failing.delete(id);
      await markHealthy(o.db, [...healthy]);
      await markFailing(o.db, [...failing], now);
      if (gone.size) await disable({ ids: [...gone], reason: 'the endpoint answered 410 Gone' });
      // Each failure may be the one that crosses the threshold; checked at most a few times a second.
      if (anyFailure && Date.now() - lastHealthCheck > Math.min(1000, o.disableAfterMs / 4)) {
        lastHealthCheck = Date.now();
        await disable({ failingBefore: new Date(now.getTime() - o.disableAfterMs), reason: `failing continuously for longer than ${humanDuration(o.disableAfterMs)}` });
      }
    } catch (err) {
      o.log.warn({ err }, 'could not update webhook health');
    }
    // Recorded results release their rows and free room: look for more work at once.
    poke();
  }

  async function disable(d: { ids?: string[]; failingBefore?: Date; reason: string }) {
    const rows = await o.db.tx((q) => disableWebhooks(q, { ...d, now: o.clock.now(), eventIds: () => newId('evt') }));
    if (rows.length > 0) wakeEventFeeds(o.db); // the webhook.disabled events
    for (const w of rows) o.log.warn({ webhook: w.id, team: w.team, reason: d.reason }, 'webhook disabled');
  }

  /** Starts queued deliveries while their endpoint and the process have room. */
  function dispatch() {
    for (const [webhookId, queue] of queues) {
      while (queue.length && inflight < o.concurrency && (sending.get(webhookId) ?? 0) < o.perEndpoint) {
        const d = queue.shift()!;
        inflight++;
        sending.set(webhookId, (sending.get(webhookId) ?? 0) + 1);
        void deliver(d);
      }
      if (queue.length === 0) queues.delete(webhookId);
      if (inflight >= o.concurrency) return;
    }
  }

  const unlisten = await o.notifier.listen(WEBHOOKS_CHANNEL, poke);

  const loop = (async () => {
    let lastReplay = 0;
    while (!stopped) {
      nap.clear();
      try {
        if (Date.now() - lastReplay >= o.pollMs) {
          lastReplay = Date.now();
          while (!stopped && (await runReplayBatch(o.db, o.clock.now(), o.replayBatch ?? 500)));
        }
        const capacity = o.concurrency * PREFETCH;
        const limit = Math.min(capacity - heldTotal, 500);
        if (limit > 0) {
          const now = o.clock.now();
          const claimed = await claimDue(o.db, { now, leaseUntil: new Date(now.getTime() + o.leaseMs), limit, perEndpoint: o.perEndpoint * PREFETCH, busy: held });
          for (const d of claimed) {
            heldTotal++;
            held.set(d.webhook_id, (held.get(d.webhook_id) ?? 0) + 1);
            const q = queues.get(d.webhook_id);
            if (q) q.push(d);
            else queues.set(d.webhook_id, [d]);
          }
          dispatch();
          if (claimed.length === limit && heldTotal < capacity) continue;
        }
        await nap.sleep(o.pollMs);
      } catch (err) {
        o.log.error({ err }, 'webhook delivery loop failed; retrying');
        await nap.sleep(Math.min(o.pollMs, 500));
      }
    }
  })();

  return {
    /** Stops claiming, lets sends in flight finish (each bounded by the timeout) and records them. */
    async stop() {
      stopped = true;
      unlisten();
      clearTimeout(retryTimer);
      nap.stop();
      await loop;
      // Claimed but never started: handed back at once rather than left to their leases.
      const unsent = [...queues.values()].flat();
      queues.clear();
      if (unsent.length) await releaseClaims(o.db, unsent.map((d) => ({ id: d.id, attempt: d.attempts }))).catch((err) => o.log.warn({ err }, 'could not release claims'));
      while (inflight > 0 || pending.length || flushing) {
        await (flushing ?? new Promise((r) => setTimeout(r, 10)));
        if (!flushing && pending.length) await flush();
      }
    },
  };
}

function humanDuration(ms: number): string {
  for (const [unit, size] of [['days', 86_400_000], ['hours', 3_600_000], ['minutes', 60_000], ['seconds', 1000]] as const) {
    if (ms >= size) return `${+(ms / size).toFixed(1)} ${unit}`;
  }
  return `${ms} ms`;
}

function decrement(m: Map<string, number>, key: string) {
  const n = (m.get(key) ?? 0) - 1;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}

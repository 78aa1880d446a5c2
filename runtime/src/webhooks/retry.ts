import type { SendResult } from './sender.ts';

export type RetryPolicy = {
  /** Delay before each attempt, the first included: `[0, 5s, 5m, …]`. Its length is the number of attempts. */
  schedule: number[];
  /** ± this fraction of each delay, so retries from one outage do not arrive together. */
  jitter: number;
  random?: () => number;
};

export type Next = { status: 'succeeded' } | { status: 'failed' } | { status: 'pending'; delayMs: number };

/**
 * What happens after attempt `attempt` (1-based): done, retried after a delay (Retry-After
 * on 429/503 overrides the schedule's delay when longer), or failed after the last attempt.
 */
export function nextStep(policy: RetryPolicy, attempt: number, result: Pick<SendResult, 'ok' | 'retryAfterMs'>): Next {
  if (result.ok) return { status: 'succeeded' };
  if (attempt >= policy.schedule.length) return { status: 'failed' };
  const base = policy.schedule[attempt]!;
  const spread = base * policy.jitter * ((policy.random ?? Math.random)() * 2 - 1);
  const delay = Math.round(base + spread);
  return { status: 'pending', delayMs: Math.max(delay, result.retryAfterMs ?? 0) };
}

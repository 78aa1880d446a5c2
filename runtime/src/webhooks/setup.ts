import type { Config } from '../config/env.ts';
import { parseKeyring, type Keyring } from '../crypto/secret-box.ts';
import { addressPolicy } from './ssrf.ts';
import { createSender } from './sender.ts';
import type { RetryPolicy } from './retry.ts';

// The webhook parts a configuration implies, shared by the worker and the API (test-send, URL checks).

const policies = new WeakMap<object, ReturnType<typeof addressPolicy>>();

export function webhookAddressPolicy(config: Config) {
  let p = policies.get(config);
  if (!p) policies.set(config, (p = addressPolicy(config.WEBHOOK_ALLOW_PRIVATE)));
  return p;
}

export function webhookSender(config: Config) {
  return createSender({ policy: webhookAddressPolicy(config), timeoutMs: config.WEBHOOK_TIMEOUT, perOrigin: config.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT });
}

export function webhookRetryPolicy(config: Config): RetryPolicy {
  return { schedule: config.WEBHOOK_RETRY_SCHEDULE, jitter: 0.1 };
}

const keyrings = new WeakMap<object, Keyring>();

/** The keyring sealing webhook secrets (`SECRET_KEYS`), parsed once per configuration. */
export function webhookKeyring(config: Config): Keyring {
  let k = keyrings.get(config);
  if (!k) keyrings.set(config, (k = parseKeyring(config.SECRET_KEYS)));
  return k;
}

import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** A Switchboard notification: the light event, never personal data. Pull the session with its `id`. */
export type Notification = {
  /** For `session.*` events, the session id. */
  id: string;
  team: string;
  flow?: string;
  paymentID?: string | null;
  /** The webhook's `config`, where it has one. */
  config?: Record<string, unknown>;
  type: string;
  timestamp: string;
  [key: string]: unknown;
};

export { WebhookVerificationError };

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(' ') : value ?? '';
}

/**
 * Verifies a notification per the Standard Webhooks specification (signature and a five-minute
 * timestamp tolerance) and returns it parsed; throws WebhookVerificationError otherwise.
 * `body` must be the raw request body, byte for byte, not re-serialised JSON. De-duplicate on
 * the `webhook-id` header: retries carry the same one.
 */
export function verifyWebhook(secret: string, body: string | Buffer, headers: HeaderSource): Notification {
  const picked = {
    'webhook-id': header(headers, 'webhook-id'),
    'webhook-timestamp': header(headers, 'webhook-timestamp'),
    'webhook-signature': header(headers, 'webhook-signature'),
  };
  return new Webhook(secret).verify(body, picked) as Notification;
}

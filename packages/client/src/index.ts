import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export { subscribeEvents, type SubscribeEventsOptions, type SwitchboardEvent } from './events.ts';
export { verifyWebhook, WebhookVerificationError, type Notification } from './verify.ts';
export type { components, paths };

export type SwitchboardClient = Client<paths>;

export type SwitchboardClientOptions = Omit<ClientOptions, 'baseUrl'> & {
  /** Where the Integration API answers, e.g. `https://switchboard.example.org`. */
  baseUrl: string;
  /** A consumer (or producer) credential: sent as HTTP Basic auth. */
  key?: string;
  secret?: string;
  /** An operator token instead: sent as a bearer token. */
  token?: string;
};

/**
 * A typed client for every route in Switchboard's OpenAPI document (generated from it: paths,
 * parameters, bodies and responses are checked at compile time).
 *
 *   const sb = createSwitchboardClient({ baseUrl, key, secret });
 *   const { data, error } = await sb.GET('/v1/sessions/{id}', { params: { path: { id } } });
 */
export function createSwitchboardClient(options: SwitchboardClientOptions): SwitchboardClient {
  const { key, secret, token, headers, ...rest } = options;
  const auth = token ? `Bearer ${token}` : key && secret ? `Basic ${btoa(`${key}:${secret}`)}` : undefined;
  return createFetchClient<paths>({ ...rest, headers: { ...(auth ? { authorization: auth } : {}), ...(headers as Record<string, string> | undefined) } });
}

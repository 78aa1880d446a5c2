import { isIP } from 'node:net';
import type { AddressPolicy } from './ssrf.ts';

/**
 * Checks a webhook URL at creation: http(s) only, no credentials, an allowed port, and no
 * literal address the SSRF guard would refuse. Returns the reason it is refused, or undefined.
 * (Names are judged again on the resolved address at every connection.)
 */
export function urlProblem(raw: string, o: { policy: AddressPolicy; allowedPorts: number[] }): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http or https URL';
  if (u.username || u.password) return 'must not carry credentials';
  if (u.hash) return 'must not have a fragment';
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (o.allowedPorts.length && !o.allowedPorts.includes(port)) return `port ${port} is not allowed (allowed: ${o.allowedPorts.join(', ')})`;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !o.policy.isAllowed(host, host)) return `${host} is a private, loopback, link-local or otherwise reserved address`;
  if (host === 'localhost' && !o.policy.isAllowed(host, '127.0.0.1')) return 'localhost is not allowed';
  return undefined;
}

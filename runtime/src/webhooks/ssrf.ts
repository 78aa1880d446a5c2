import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach unless the operator allows them: the SSRF guard. */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(net, bits, 'ipv6');

export class BlockedAddressError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
}

export type AddressPolicy = { isAllowed(host: string, address: string): boolean };

/** `WEBHOOK_ALLOW_PRIVATE`: CIDRs (`127.0.0.0/8`, `::1/128`) or host names that open the guard. */
export function addressPolicy(allow: string[]): AddressPolicy {
  const allowList = new BlockList();
  const hosts = new Set<string>();
  for (const entry of allow) {
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    if (family) allowList.addSubnet(net!, bits ? Number(bits) : family === 4 ? 32 : 128, family === 4 ? 'ipv4' : 'ipv6');
    else hosts.add(entry.toLowerCase());
  }
  return {
    isAllowed(host, address) {
      if (hosts.has(host.toLowerCase())) return true;
      const family = isIP(address);
      if (!family) return false;
      // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
      const mapped = family === 6 && /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      const [a, t] = mapped ? [mapped[1]!, 'ipv4' as const] : [address, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
      if (allowList.check(a, t)) return true;
      return !blocked.check(a, t);
    },
  };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that refuses blocked addresses after resolution, on the
 * connection actually being made: a name that resolves to a public address at creation and
 * to 169.254.169.254 later (DNS rebinding) is still refused.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (host: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '');
      const ok = addresses.filter((a) => policy.isAllowed(host, a.address));
      if (ok.length === 0) {
        return callback(new BlockedAddressError(`${host} resolves to ${addresses.map((a) => a.address).join(', ')}: not an allowed address`), options.all ? [] : '');
      }
      if (options.all) callback(null, ok);
      else callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

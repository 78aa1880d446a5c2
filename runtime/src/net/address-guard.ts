import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

// Addresses no outbound call may reach unless the operator allows them explicitly: loopback,
// private networks, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved.
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

export type AddressGuard = {
  /** Why the address may not be reached, or undefined when it may. */
  refuse(address: string): string | undefined;
  /** A `lookup` for `http.request` that checks every resolved address at connect time. */
  lookup: LookupFunction;
};

/** `allow` lists addresses or CIDRs the operator lets through anyway (e.g. 127.0.0.1 in tests). */
export function createAddressGuard(options: { allow?: string[]; resolve?: (host: string) => Promise<string[]> } = {}): AddressGuard {
  const allowed = new BlockList();
  for (const entry of options.allow ?? []) {
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (!net || !isIP(net)) continue;
    if (bits) allowed.addSubnet(net, Number(bits), family);
    else allowed.addAddress(net, family);
  }
  const resolve = options.resolve ?? (async (host: string) => (await dnsLookup(host, { all: true })).map((a) => a.address));

  function refuse(address: string): string | undefined {
    // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(ip)) return `"${address}" is not an IP address`;
    if (allowed.check(ip, family)) return undefined;
    if (blocked.check(ip, family)) return `${ip} is a private, loopback or reserved address`;
    return undefined;
  }

  const lookup: LookupFunction = (hostname, opts, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = addresses.map((a) => refuse(a)).find(Boolean);
        if (bad || addresses.length === 0) {
          const err = Object.assign(new Error(`${hostname} refused: ${bad ?? 'no address'}`), { code: 'EADDRBLOCKED' });
          return callback(err, '', 4);
        }
        const list = addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
        if ((opts as { all?: boolean }).all) return (callback as unknown as (e: null, l: typeof list) => void)(null, list);
        callback(null, list[0]!.address, list[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 4),
    );
  };

  return { refuse, lookup };
}

import { parseKeyring, type Keyring } from '../crypto/secret-box.ts';

let last: { value: string | undefined; ring: Keyring } | undefined;

/** The keyring for `SECRET_KEYS`, parsed once. */
export function keyringFor(value: string | undefined): Keyring {
  if (!last || last.value !== value) last = { value, ring: parseKeyring(value) };
  return last.ring;
}

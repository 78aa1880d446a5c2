import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (webhook signing secrets, connector credentials): AES-256-GCM under a
 * keyring. Sealed text is `<kid>.<base64url(iv | tag | ciphertext)>`; the key id lets old
 * ciphertexts open after a new key is put first, so keys rotate without a re-encryption step.
 */
export type Keyring = { current: string; keys: Map<string, Buffer> };

export class SecretBoxError extends Error {}

/** Parses `kid:base64key,kid2:base64key` (first = current). Each key must be 32 bytes. */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [kid, b64] = part.split(':');
    if (!kid || !b64 || !/^[A-Za-z0-9_-]{1,32}$/.test(kid)) throw new SecretBoxError('expected kid:base64key');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new SecretBoxError(`key "${kid}" must be 32 bytes`);
    keys.set(kid, key);
    current ??= kid;
  }
  if (!current) throw new SecretBoxError('no keys');
  return { current, keys };
}

/** A fixed key for development and tests only; production sets SWITCHBOARD_SECRET_KEYS. */
export function devKeyring(environment: string): Keyring {
  return { current: 'dev', keys: new Map([['dev', createHash('sha256').update(`switchboard-dev-secret-key:${environment}`).digest()]]) };
}

export function seal(keyring: Keyring, plaintext: string): string {
  const key = keyring.keys.get(keyring.current)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyring.current));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${keyring.current}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

export function open(keyring: Keyring, sealed: string): string {
  const dot = sealed.indexOf('.');
  const kid = sealed.slice(0, dot);
  const key = keyring.keys.get(kid);
  if (dot < 1 || !key) throw new SecretBoxError(`no key "${kid}" in the keyring`);
  const raw = Buffer.from(sealed.slice(dot + 1), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Whether a sealed value was made under an older key (worth re-sealing when next written). */
export function needsReseal(keyring: Keyring, sealed: string): boolean {
  return !sealed.startsWith(`${keyring.current}.`);
}

const cache = new WeakMap<object, Keyring>();

/** The keyring a configuration names, parsed once per configuration object. */
export function keyringFor(config: { SWITCHBOARD_SECRET_KEYS?: string | undefined; SWITCHBOARD_ENV: string }): Keyring {
  let k = cache.get(config);
  if (!k) {
    k = config.SWITCHBOARD_SECRET_KEYS ? parseKeyring(config.SWITCHBOARD_SECRET_KEYS) : devKeyring(config.SWITCHBOARD_ENV);
    cache.set(config, k);
  }
  return k;
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM, sealed as `v1.<keyId>.<base64url(iv | tag | ciphertext)>`.
 * The key id makes rotation possible: seal with the current key, open with whichever sealed it.
 */
export type Keyring = { current: string; keys: Record<string, Buffer> };

export function seal(plaintext: string, keyring: Keyring): string {
  const key = keyring.keys[keyring.current];
  if (!key) throw new Error(`no key "${keyring.current}" in the keyring`);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The key id is authenticated too, so a sealed value cannot be relabelled.
  cipher.setAAD(Buffer.from(keyring.current));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${keyring.current}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

export function open(sealed: string, keyring: Keyring): string {
  const [version, keyId, body] = sealed.split('.');
  if (version !== 'v1' || !keyId || body === undefined) throw new Error('not a sealed value');
  const key = keyring.keys[keyId];
  if (!key) throw new Error(`sealed with key "${keyId}", which is not in the keyring`);
  const raw = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Whether a value was sealed with a key other than the current one (re-seal it). */
export function needsReseal(sealed: string, keyring: Keyring): boolean {
  return sealed.split('.')[1] !== keyring.current;
}

/**
 * `SECRET_KEYS`: comma-separated `id:base64key` (32-byte keys), the first one current.
 * Unset outside production: a fixed, publicly known development key (never for real data).
 */
export function parseKeyring(value: string | undefined): Keyring {
  if (!value) return { current: 'dev', keys: { dev: Buffer.alloc(32, 'switchboard-insecure-development') } };
  const keys: Record<string, Buffer> = {};
  let current = '';
  for (const part of value.split(',')) {
    const [id, b64] = part.trim().split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) throw new Error('each key must be id:base64 of 32 bytes');
    keys[id] = key;
    current ||= id;
  }
  return { current, keys };
}

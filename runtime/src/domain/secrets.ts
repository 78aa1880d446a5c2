import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret with a recognisable prefix (so leaked ones are easy to scan for). */
export function randomSecret(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** Our secrets carry 256 random bits, so a plain SHA-256 is a sound one-way hash (no stretching needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Url, hmacSha256Hex } from './index.js';

describe('the sandbox-safe HMAC', () => {
  it('matches node:crypto for short, long, empty and non-ASCII input', () => {
    for (const [key, msg] of [['k', 'hello'], ['x'.repeat(100), 'y'.repeat(1000)], ['', ''], ['clé 🔑', 'données é ü 日本']]) {
      expect(hmacSha256Hex(key!, msg!)).toBe(createHmac('sha256', key!).update(msg!).digest('hex'));
    }
  });
  it('encodes base64url like Buffer does', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', '{"alg":"HS256"}', 'é🔑']) expect(base64Url(s)).toBe(Buffer.from(s).toString('base64url'));
  });
});

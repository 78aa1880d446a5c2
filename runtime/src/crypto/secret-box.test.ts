import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, needsReseal, parseKeyring, seal } from './secret-box.ts';

const key = () => randomBytes(32).toString('base64');

describe('secret box', () => {
  it('opens what it sealed, and never yields the same ciphertext twice', () => {
    const ring = parseKeyring(`k1:${key()}`);
    const a = seal(ring, 'whsec_abc');
    expect(open(ring, a)).toBe('whsec_abc');
    expect(seal(ring, 'whsec_abc')).not.toBe(a);
    expect(a).not.toContain('whsec_abc');
  });

  it('opens values sealed under an older key after rotation, and flags them for re-sealing', () => {
    const k1 = key();
    const old = parseKeyring(`k1:${k1}`);
    const sealed = seal(old, 'secret');
    const rotated = parseKeyring(`k2:${key()},k1:${k1}`);
    expect(open(rotated, sealed)).toBe('secret');
    expect(needsReseal(rotated, sealed)).toBe(true);
    expect(needsReseal(rotated, seal(rotated, 'secret'))).toBe(false);
  });

  it('refuses tampered ciphertext and unknown keys', () => {
    const ring = parseKeyring(`k1:${key()}`);
    const sealed = seal(ring, 'secret');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => open(ring, tampered)).toThrow();
    expect(() => open(parseKeyring(`k9:${key()}`), sealed)).toThrow(/no key "k1"/);
  });

  it('rejects keys of the wrong length', () => {
    expect(() => parseKeyring(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { needsReseal, open, parseKeyring, seal } from './secret-box.ts';

describe('secret box', () => {
  const old = randomBytes(32).toString('base64');
  const fresh = randomBytes(32).toString('base64');

  it('opens what it sealed, and never shows the plaintext', () => {
    const ring = parseKeyring(`k1:${old}`);
    const sealed = seal('{"token":"s3cret"}', ring);
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain('s3cret');
    expect(open(sealed, ring)).toBe('{"token":"s3cret"}');
  });

  it('rotates: values sealed with an older key still open and are flagged for re-sealing', () => {
    const sealed = seal('x', parseKeyring(`k1:${old}`));
    const rotated = parseKeyring(`k2:${fresh},k1:${old}`);
    expect(open(sealed, rotated)).toBe('x');
    expect(needsReseal(sealed, rotated)).toBe(true);
    expect(open(seal('y', rotated), rotated)).toBe('y');
  });

  it('refuses tampered values and relabelled key ids', () => {
    const ring = parseKeyring(`k1:${old},k2:${fresh}`);
    const sealed = seal('x', ring);
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(() => open(flipped, ring)).toThrow();
    expect(() => open(sealed.replace('.k1.', '.k2.'), ring)).toThrow();
  });
});

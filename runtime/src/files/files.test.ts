import { describe, expect, it } from 'vitest';
import { createFileDownloadToken, verifyFileDownloadToken } from './download-token.ts';
import { parseRange } from './range.ts';
import { safeFileName } from './upload.ts';

describe('parseRange', () => {
  it('reads the range forms of RFC 9110', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
  });
  it('serves the whole file for no, several or odd ranges, and refuses ranges past the end', () => {
    expect(parseRange(undefined, 100)).toBe('whole');
    expect(parseRange('bytes=0-1,5-6', 100)).toBe('whole');
    expect(parseRange('items=0-1', 100)).toBe('whole');
    expect(parseRange('bytes=9-1', 100)).toBe('whole');
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});

describe('safeFileName', () => {
  it('keeps only the last path segment without control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\x\\plan.pdf')).toBe('plan.pdf');
    expect(safeFileName('a\u0000b\nc.pdf')).toBe('abc.pdf');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('dir/')).toBe('file');
  });
});

describe('file download tokens', () => {
  const claim = { team: 'lambeth', sessionId: 's-1', fileId: 'fil_1', expiresAt: new Date('2026-11-23T10:01:00Z') };
  const secret = 'k'.repeat(32);
  it('verify until they expire, only with the key that made them', () => {
    const token = createFileDownloadToken(claim, secret);
    expect(verifyFileDownloadToken(token, secret, new Date('2026-11-23T10:00:00Z'))).toEqual(claim);
    expect(verifyFileDownloadToken(token, secret, new Date('2026-11-23T10:01:00Z'))).toBeUndefined();
    expect(verifyFileDownloadToken(token, 'x'.repeat(32), new Date('2026-11-23T10:00:00Z'))).toBeUndefined();
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['lambeth', 's-1', 'fil_2', claim.expiresAt.getTime()])).toString('base64url');
    expect(verifyFileDownloadToken(`${forged}.${mac}`, secret, new Date('2026-11-23T10:00:00Z'))).toBeUndefined();
    expect(verifyFileDownloadToken(`${payload}`, secret, new Date('2026-11-23T10:00:00Z'))).toBeUndefined();
  });
});

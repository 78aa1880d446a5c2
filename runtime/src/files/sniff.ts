import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes the sniffer looks at (file-type's own sample size). */
export const SNIFF_BYTES = 4100;

const textual = /^(text\/[a-z0-9.+-]+|application\/(json|geo\+json|dxf)|image\/vnd\.dxf)$/;

export type Sniffed = { ok: true; contentType: string } | { ok: false; detected: string };

/**
 * The content type from the bytes, not from what the uploader claims. Binary formats are
 * recognised by their signature; a claimed text type is believed only for bytes that are
 * valid UTF-8 text without NULs (so a renamed executable is never served as text/plain).
 */
export async function sniffContentType(head: Uint8Array, declared: string | undefined, allowed: readonly string[]): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(head);
  if (found) return allowed.includes(found.mime) ? { ok: true, contentType: found.mime } : { ok: false, detected: found.mime };
  const claimed = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (textual.test(claimed) && looksLikeText(head)) {
    return allowed.includes(claimed) ? { ok: true, contentType: claimed } : { ok: false, detected: claimed };
  }
  return { ok: false, detected: looksLikeText(head) ? 'text/plain' : 'application/octet-stream' };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  // The sample may end inside a multi-byte character: drop up to 3 trailing bytes before decoding.
  for (let cut = 0; cut <= Math.min(3, head.length); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

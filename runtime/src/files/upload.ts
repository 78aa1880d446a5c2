import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import * as store from '../db/store/files.ts';
import type { FileRow } from '../db/store/files.ts';
import { newId } from '../domain/ids.ts';
import { SNIFF_BYTES, sniffContentType } from './sniff.ts';
import type { FileStorage } from './storage.ts';

export class FileTooLarge extends Error {}
export class IncompleteUpload extends Error {}

export type UploadDeps = { db: Db; storage: FileStorage; clock: Clock; maxBytes: number; allowedTypes: readonly string[] };

export type UploadInput = {
  team: string; sessionId: string; name: string; declaredType: string | undefined;
  /** Content-Length when the client sent one: fewer bytes than promised means the upload was cut. */
  declaredLength: number | undefined;
  body: ReadableStream<Uint8Array>;
  source?: 'upload' | 'reference';
};

export type UploadResult =
  | { outcome: 'created' | 'duplicate'; file: FileRow }
  | { outcome: 'unsupported_type'; detected: string }
  | { outcome: 'too_large' }
  | { outcome: 'incomplete' };

/** A display name only (storage keys never use it): the last path segment, without control characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/**
 * Streams an upload into storage without holding it in memory: the first few KB are read to
 * sniff the type (refused before anything is stored), then every chunk is hashed and counted
 * on its way through. Any failure (too large, cut connection) leaves nothing stored.
 */
export async function storeUpload(deps: UploadDeps, input: UploadInput): Promise<UploadResult> {
  const reader = input.body.getReader();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    while (headBytes < SNIFF_BYTES) {
      const r = await reader.read();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      headBytes += r.value.byteLength;
    }
  } catch {
    return { outcome: 'incomplete' };
  }
  const sniffed = await sniffContentType(Buffer.concat(head).subarray(0, SNIFF_BYTES), input.declaredType, deps.allowedTypes);
  if (!sniffed.ok) {
    await reader.cancel().catch(() => {});
    return { outcome: 'unsupported_type', detected: sniffed.detected };
  }

  const hash = createHash('sha256');
  let size = 0;
  const account = (chunk: Uint8Array) => {
    size += chunk.byteLength;
    if (size > deps.maxBytes) throw new FileTooLarge(`over ${deps.maxBytes} bytes`);
    hash.update(chunk);
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  };
  async function* chunks() {
    for (const chunk of head) yield account(chunk);
    if (!ended) {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        yield account(r.value);
      }
    }
    if (input.declaredLength !== undefined && size !== input.declaredLength) {
      throw new IncompleteUpload(`received ${size} of ${input.declaredLength} bytes`);
    }
  }

  const id = newId('fil');
  const key = `${input.team}/${id}`;
  try {
    await deps.storage.put(key, Readable.from(chunks(), { objectMode: false }), { contentType: sniffed.contentType });
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof FileTooLarge) return { outcome: 'too_large' };
    return { outcome: 'incomplete' };
  }

  const sha256 = hash.digest('hex');
  const name = safeFileName(input.name);
  try {
    const same = await store.findSameFile(deps.db, input.team, input.sessionId, name, sha256);
    if (same) {
      await deps.storage.delete(key);
      return { outcome: 'duplicate', file: same };
    }
    const file = await store.insertFile(deps.db, {
      id, team: input.team, session_id: input.sessionId, name, content_type: sniffed.contentType, size, sha256,
      storage_key: key, source: input.source ?? 'upload', created_at: deps.clock.now(),
    });
    return { outcome: 'created', file };
  } catch (error) {
    await deps.storage.delete(key).catch(() => {});
    throw error;
  }
}

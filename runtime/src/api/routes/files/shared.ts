import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { z } from 'zod';
import type { FileRow } from '../../../db/store/files.ts';
import { sessionForConsumer } from '../../../files/access.ts';
import { recordRetrieval } from '../../../domain/sessions.ts';
import type { SessionMeta } from '../../../db/store/sessions.ts';
import { parseRange } from '../../../files/range.ts';
import { contentDisposition } from '../../../files/s3-storage.ts';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../problem.ts';
import { timestamp } from '../../schemas.ts';

export const fileSchema = z.object({
  id: z.string(),
  name: z.string().describe('The uploader\'s file name (display only; never a storage path).'),
  contentType: z.string().describe('Sniffed from the bytes, not taken from the uploader.'),
  size: z.number().int(),
  sha256: z.string().describe('Hex SHA-256 of the bytes, computed while they were stored.'),
  createdAt: timestamp,
}).meta({ id: 'SessionFile' });

export const uploadResultSchema = z.object({ file: fileSchema, duplicate: z.boolean() }).meta({ id: 'FileUploadResult' });

export const presentFile = (f: FileRow) => ({
  id: f.id, name: f.name, contentType: f.content_type, size: f.size, sha256: f.sha256, createdAt: f.created_at.toISOString(),
});

export const fileExample = {
  id: 'fil_019ab0c2d3e4a1b2c3d4e5f6', name: 'site-plan.pdf', contentType: 'application/pdf', size: 482113,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', createdAt: '2026-11-23T10:00:01.000Z',
};

/**
 * Answers with the file's bytes, whole or one range, streamed from storage (never buffered),
 * or with a redirect to a short-lived presigned URL when the driver and configuration allow.
 * Counts as a retrieval for retention.
 */
export async function serveFile(c: Context<AppEnv>, session: SessionMeta, file: FileRow): Promise<Response> {
  const { deps } = c.var;
  const retention = { afterSubmissionMs: deps.config.RETENTION_AFTER_SUBMISSION, afterRetrievalMs: deps.config.RETENTION_AFTER_RETRIEVAL };
  const common = {
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'content-disposition': contentDisposition(file.name),
    etag: `"${file.sha256}"`,
    'repr-digest': `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`,
  };

  if (deps.config.FILES_DOWNLOAD === 'redirect' && deps.storage.presign) {
    const url = await deps.storage.presign(file.storage_key, {
      expiresInSeconds: Math.max(1, Math.round(deps.config.FILES_URL_TTL / 1000)),
      signingDate: deps.clock.now(), filename: file.name, contentType: file.content_type,
    });
    await recordRetrieval(deps.db, deps.clock, retention, session);
    return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'private, no-store' } });
  }

  const range = parseRange(c.req.header('range'), file.size);
  if (range === 'unsatisfiable') {
    throw new ApiError('range_not_satisfiable', `the file has ${file.size} bytes`, { headers: { 'content-range': `bytes */${file.size}` } });
  }
  const whole = range === 'whole';
  const stream = await deps.storage.get(file.storage_key, whole || file.size === 0 ? undefined : range);
  // The row says live but the bytes are gone: the purge got there between our read and now.
  if (!stream) throw new ApiError('file_deleted', `file "${file.id}" has been deleted`);
  await recordRetrieval(deps.db, deps.clock, retention, session);
  const headers: Record<string, string> = { ...common, 'content-type': file.content_type, 'accept-ranges': 'bytes' };
  if (whole) {
    headers['content-length'] = String(file.size);
    return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
  }
  headers['content-length'] = String(range.end - range.start + 1);
  headers['content-range'] = `bytes ${range.start}-${range.end}/${file.size}`;
  return new Response(Readable.toWeb(stream) as ReadableStream, { status: 206, headers });
}

/**
 * The session whose files a consumer asks for, under the same rules as `GET /v1/sessions/{id}`:
 * another team's is not found, an ungranted flow is 403, a purged one is gone (`gone` names the code).
 */
export async function requireConsumerSession(c: Context<AppEnv>, id: string, gone: 'session_expired' | 'file_deleted') {
  const { deps, actor } = c.var;
  if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a consumer credential is required');
  c.var.audit.sessionId = id;
  const r = await sessionForConsumer(deps.db, actor, id);
  if (r.outcome === 'not_found') throw new ApiError('session_not_found', `no session "${id}"`);
  if (r.outcome === 'not_granted') {
    c.var.audit.team = r.team;
    throw new ApiError('not_granted', `flow "${r.flow}" has not granted platform "${actor.platform}" access`);
  }
  c.var.audit.team = r.session.team;
  if (r.outcome === 'expired') throw new ApiError(gone, `session "${id}" was purged with its files`);
  return r.session;
}

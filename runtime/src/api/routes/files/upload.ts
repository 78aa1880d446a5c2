import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../context.ts';
import * as store from '../../../db/store/files.ts';
import { storeUpload } from '../../../files/upload.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { fileExample, presentFile, uploadResultSchema as result } from './shared.ts';

export default defineRoute({
  method: 'post',
  path: '/v1/sessions/{id}/files',
  operationId: 'uploadSessionFile',
  tag: 'Files',
  summary: 'Attach a file to a session',
  description: 'Streams the raw request body into storage. The content type is sniffed from the bytes and must be on the allow list (`FILES_ALLOWED_TYPES`); the size limit is `FILES_MAX_BYTES` (default 100 MB); a SHA-256 is recorded. A cut connection leaves nothing stored. Uploading the same bytes under the same name again returns the first file with `duplicate: true`. The producer credential must serve the session\'s team.',
  access: { kind: 'credential', credential: 'producer', scope: 'sessions:write' },
  params: z.object({ id: z.string().min(1).max(128) }),
  query: z.object({ name: z.string().min(1).max(1024).describe('The file name to show consumers (any path part is dropped).') }),
  rawBody: { contentType: 'application/octet-stream', description: 'The file\'s bytes. `Content-Type` is a hint for text formats only.', example: '%PDF-1.7 …' },
  responses: {
    201: { description: 'Stored.', schema: result, example: { file: fileExample, duplicate: false } },
    200: { description: 'These bytes were already attached under this name.', schema: result, example: { file: fileExample, duplicate: true } },
    400: { description: '`upload_incomplete`: the body ended before `Content-Length` bytes, or the connection dropped.' },
    404: { description: '`session_not_found`: no such session for this credential\'s teams.' },
    410: { description: '`session_expired`: the session was purged.' },
    413: { description: '`payload_too_large`: over `FILES_MAX_BYTES`.' },
    415: { description: '`unsupported_media_type`: the sniffed type is not allowed.' },
  },
  async handler(c, input) {
    try {
      return await handle(c, input);
    } catch (error) {
      // Refused before the body was read to the end: close the connection rather than leave
      // the client's unsent bytes in a socket that would be reused for its next request.
      if (error instanceof ApiError) throw new ApiError(error.code, error.message, { headers: { ...error.headers, connection: 'close' } });
      throw error;
    }
  },
});

async function handle(c: Context<AppEnv>, { params, query }: { params: { id: string }; query: { name: string } }) {
  const { deps, actor } = c.var;
  if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a producer credential is required');
  c.var.audit.sessionId = params.id;
  const max = deps.config.FILES_MAX_BYTES;
  const lengthHeader = c.req.header('content-length');
  const declaredLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (declaredLength !== undefined && declaredLength > max) throw new ApiError('payload_too_large', `files are limited to ${max} bytes`);

  const session = await store.getSessionOfTeams(deps.db, params.id, actor.teams);
  if (!session) throw new ApiError('session_not_found', `no session "${params.id}"`);
  c.var.audit.team = session.team;
  if (session.purged_at) throw new ApiError('session_expired', `session "${params.id}" was purged`);
  const body = c.req.raw.body;
  if (!body) throw new ApiError('upload_incomplete', 'the request has no body');

  const r = await storeUpload(
    { db: deps.db, storage: deps.storage, clock: deps.clock, maxBytes: max, allowedTypes: deps.config.FILES_ALLOWED_TYPES },
    { team: session.team, sessionId: session.id, name: query.name, declaredType: c.req.header('content-type'), declaredLength, body },
  );
  switch (r.outcome) {
    case 'unsupported_type': throw new ApiError('unsupported_media_type', `files of type ${r.detected} are not accepted`);
    case 'too_large': throw new ApiError('payload_too_large', `files are limited to ${max} bytes`);
    case 'incomplete': throw new ApiError('upload_incomplete', 'the upload ended early; nothing was stored');
    default: return c.json({ file: presentFile(r.file), duplicate: r.outcome === 'duplicate' }, r.outcome === 'created' ? 201 : 200);
  }
}

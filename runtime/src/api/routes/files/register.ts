import { z } from 'zod';
import * as store from '../../../db/store/files.ts';
import { copyFromReference } from '../../../files/reference.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { fileExample, presentFile, uploadResultSchema as result } from './shared.ts';

const body = z.object({
  name: z.string().min(1).max(1024).describe('The file name to show consumers.'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  key: z.string().min(1).max(1024),
  region: z.string().regex(/^[a-z0-9-]{2,32}$/).default('eu-west-2'),
  accessKeyId: z.string().min(1).max(256),
  secretAccessKey: z.string().min(1).max(256),
  sessionToken: z.string().min(1).max(4096).optional(),
}).meta({ id: 'FileReference' });

export default defineRoute({
  method: 'post',
  path: '/v1/sessions/{id}/files/references',
  operationId: 'registerSessionFileReference',
  tag: 'Files',
  summary: "Attach a file from the producer's S3 bucket",
  description: "Switchboard reads the object once with the given key pair (used for this read only, never stored) and copies it into its own storage, so the file's retention is Switchboard's. The same checks as an upload apply: sniffed type on the allow list, size limit, SHA-256 recorded.",
  access: { kind: 'credential', credential: 'producer', scope: 'sessions:write' },
  params: z.object({ id: z.string().min(1).max(128) }),
  body,
  bodyExample: { name: 'site-plan.pdf', bucket: 'planx-uploads', key: 'sessions/6460/site-plan.pdf', region: 'eu-west-2', accessKeyId: 'AKIA…', secretAccessKey: '…' },
  responses: {
    201: { description: 'Copied in.', schema: result, example: { file: fileExample, duplicate: false } },
    200: { description: 'These bytes were already attached under this name.', schema: result, example: { file: fileExample, duplicate: true } },
    404: { description: '`session_not_found`: no such session for this credential\'s teams.' },
    410: { description: '`session_expired`: the session was purged.' },
    413: { description: '`payload_too_large`: over `FILES_MAX_BYTES`.' },
    415: { description: '`unsupported_media_type`: the sniffed type is not allowed.' },
    502: { description: '`file_reference_failed`: the object could not be read with the given credentials.' },
  },
  async handler(c, { params, body }) {
    const { deps, actor } = c.var;
    if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a producer credential is required');
    c.var.audit.sessionId = params.id;
    const session = await store.getSessionOfTeams(deps.db, params.id, actor.teams);
    if (!session) throw new ApiError('session_not_found', `no session "${params.id}"`);
    c.var.audit.team = session.team;
    if (session.purged_at) throw new ApiError('session_expired', `session "${params.id}" was purged`);
    const max = deps.config.FILES_MAX_BYTES;
    const r = await copyFromReference(
      { db: deps.db, storage: deps.storage, clock: deps.clock, maxBytes: max, allowedTypes: deps.config.FILES_ALLOWED_TYPES },
      { team: session.team, sessionId: session.id }, body, deps.config.FILES_REFERENCE_ENDPOINT,
    );
    switch (r.outcome) {
      case 'unreadable': throw new ApiError('file_reference_failed', `could not read s3://${body.bucket}/${body.key}: ${r.reason}`);
      case 'unsupported_type': throw new ApiError('unsupported_media_type', `files of type ${r.detected} are not accepted`);
      case 'too_large': throw new ApiError('payload_too_large', `files are limited to ${max} bytes`);
      case 'incomplete': throw new ApiError('file_reference_failed', `the read of s3://${body.bucket}/${body.key} ended early; nothing was stored`);
      default: return c.json({ file: presentFile(r.file), duplicate: r.outcome === 'duplicate' }, r.outcome === 'created' ? 201 : 200);
    }
  },
});

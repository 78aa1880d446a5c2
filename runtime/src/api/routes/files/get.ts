import { z } from 'zod';
import { findSessionFile } from '../../../files/access.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { requireConsumerSession, serveFile } from './shared.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/sessions/{id}/files/{fileId}',
  operationId: 'downloadSessionFile',
  tag: 'Files',
  summary: 'Download a file',
  description: "Streams the file's bytes (`Range: bytes=…` gives 206), or answers 302 to a short-lived presigned storage URL when `FILES_DOWNLOAD=redirect` and the S3 driver is used. Same access rules as `GET /v1/sessions/{id}`; audited, and counted as a retrieval for retention. A purged file is 410.",
  access: { kind: 'credential', credential: 'consumer', scope: 'files:read' },
  params: z.object({ id: z.string().min(1).max(128), fileId: z.string().min(1).max(64) }),
  responses: {
    200: { description: 'The whole file.', contentType: 'application/octet-stream', schema: z.string().meta({ contentMediaType: 'application/octet-stream' }), example: '%PDF-1.7 …' },
    206: { description: 'The requested byte range (`Content-Range`).', contentType: 'application/octet-stream', schema: z.string().meta({ contentMediaType: 'application/octet-stream' }), example: '%PDF-1.7 …' },
    302: { description: 'Redirect to a presigned URL valid for `FILES_URL_TTL`.' },
    403: { description: '`not_granted`: the flow has not granted this platform.' },
    404: { description: '`session_not_found` or `file_not_found`.' },
    410: { description: '`session_expired` or `file_deleted`: purged.' },
    416: { description: '`range_not_satisfiable`: the range starts past the end.' },
  },
  async handler(c, { params }) {
    const session = await requireConsumerSession(c, params.id, 'file_deleted');
    const f = await findSessionFile(c.var.deps.db, session, params.fileId);
    if (f.outcome === 'not_found') throw new ApiError('file_not_found', `no file "${params.fileId}" in session "${params.id}"`);
    if (f.outcome === 'deleted') throw new ApiError('file_deleted', `file "${params.fileId}" was purged`);
    return serveFile(c, session, f.file);
  },
});

import { z } from 'zod';
import { getSessionOfTeams } from '../../../db/store/files.ts';
import { findSessionFile } from '../../../files/access.ts';
import { fileUrlSecret, verifyFileDownloadToken } from '../../../files/download-token.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { serveFile } from './shared.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/file-downloads/{token}',
  operationId: 'downloadFileByLink',
  tag: 'Files',
  summary: 'Download a file by a short-lived link',
  description: 'The links Switchboard hands to connector sandboxes: the token names one file of one session and expires after `FILES_URL_TTL`. No other credential is needed or accepted. Audited and counted as a retrieval like `GET /v1/sessions/{id}/files/{fileId}`.',
  access: { kind: 'public' },
  params: z.object({ token: z.string().min(10).max(1024) }),
  responses: {
    200: { description: 'The whole file.', contentType: 'application/octet-stream', schema: z.string().meta({ contentMediaType: 'application/octet-stream' }), example: '%PDF-1.7 …' },
    206: { description: 'The requested byte range.', contentType: 'application/octet-stream', schema: z.string().meta({ contentMediaType: 'application/octet-stream' }), example: '%PDF-1.7 …' },
    403: { description: '`invalid_download_link`: not a link we issued, or expired.' },
    410: { description: '`file_deleted`: purged.' },
  },
  async handler(c, { params }) {
    const { deps } = c.var;
    const claim = verifyFileDownloadToken(params.token, fileUrlSecret(deps.config.FILES_URL_SECRET), deps.clock.now());
    if (!claim) throw new ApiError('invalid_download_link', 'this download link is not valid or has expired');
    c.var.audit.team = claim.team;
    c.var.audit.sessionId = claim.sessionId;
    const session = await getSessionOfTeams(deps.db, claim.sessionId, [claim.team]);
    if (!session) throw new ApiError('file_not_found', 'no such file');
    const f = await findSessionFile(deps.db, session, claim.fileId);
    if (f.outcome === 'not_found') throw new ApiError('file_not_found', 'no such file');
    if (f.outcome === 'deleted') throw new ApiError('file_deleted', 'the file was purged');
    return serveFile(c, session, f.file);
  },
});

import { z } from 'zod';
import { listFilesOfSession } from '../../../files/access.ts';
import { defineRoute } from '../../route.ts';
import { fileExample, fileSchema, presentFile, requireConsumerSession } from './shared.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/sessions/{id}/files',
  operationId: 'listSessionFiles',
  tag: 'Files',
  summary: "List a session's files",
  description: 'Name, size, sniffed type and SHA-256 of each file attached to the session. Same access rules as `GET /v1/sessions/{id}`.',
  access: { kind: 'credential', credential: 'consumer', scope: 'files:read' },
  params: z.object({ id: z.string().min(1).max(128) }),
  responses: {
    200: { description: 'The files.', schema: z.object({ files: z.array(fileSchema) }).meta({ id: 'SessionFileList' }), example: { files: [fileExample] } },
    403: { description: '`not_granted`: the flow has not granted this platform.' },
    404: { description: '`session_not_found`: no such session for this team.' },
    410: { description: '`session_expired`: the session and its files were purged.' },
  },
  async handler(c, { params }) {
    const files = await listFilesOfSession(c.var.deps.db, await requireConsumerSession(c, params.id, 'session_expired'));
    return c.json({ files: files.map(presentFile) });
  },
});

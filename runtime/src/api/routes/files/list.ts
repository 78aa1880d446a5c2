import { z } from 'zod';
import { listFilesOfSession, sessionForConsumer } from '../../../files/access.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { fileExample, fileSchema, presentFile } from './shared.ts';

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
    const { deps, actor } = c.var;
    if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a consumer credential is required');
    c.var.audit.sessionId = params.id;
    const r = await sessionForConsumer(deps.db, actor, params.id);
    if (r.outcome === 'not_found') throw new ApiError('session_not_found', `no session "${params.id}"`);
    if (r.outcome === 'not_granted') {
      c.var.audit.team = r.team;
      throw new ApiError('not_granted', `flow "${r.flow}" has not granted platform "${actor.platform}" access`);
    }
    c.var.audit.team = r.session.team;
    if (r.outcome === 'expired') throw new ApiError('session_expired', `session "${params.id}" was purged with its files`);
    const files = await listFilesOfSession(deps.db, r.session);
    return c.json({ files: files.map(presentFile) });
  },
});

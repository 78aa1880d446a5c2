import { z } from 'zod';
import { pullSession } from '../../../domain/sessions.ts';
import { presentSessionSummary } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { sessionSchema } from '../../schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/sessions/{id}',
  operationId: 'getSession',
  tag: 'Sessions',
  summary: 'Pull one session',
  description: "Returns the session's data to a consumer whose platform holds a grant for the session's flow. The first successful pull shortens retention to 5 days (configurable). After purge the answer is 410 `session_expired`. Every call is audited.",
  access: { kind: 'credential', credential: 'consumer', scope: 'sessions:read' },
  params: z.object({ id: z.string().min(1).max(128) }),
  responses: {
    200: {
      description: 'The session with its data.',
      schema: sessionSchema,
      example: {
        id: '64608023-8592-449b-8fa0-00aed82c734c', team: 'lambeth', flow: 'apply-for-a-lawful-development-certificate', paymentId: null,
        submittedAt: '2026-11-23T10:00:00.000Z', firstRetrievedAt: '2026-11-23T10:00:02.000Z', purgeAfter: '2026-11-28T10:00:02.000Z', purgedAt: null,
        data: { passport: { data: { 'applicant.name.first': 'Ada' } } }, files: [],
      },
    },
    403: { description: '`not_granted`: the flow has not granted this platform.' },
    404: { description: '`session_not_found`: no such session for this team.' },
    410: { description: '`session_expired`: the data was purged; the tombstone remains.' },
  },
  async handler(c, { params }) {
    const { deps, actor } = c.var;
    if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a consumer credential is required');
    c.var.audit.sessionId = params.id;
    const retention = { afterSubmissionMs: deps.config.RETENTION_AFTER_SUBMISSION, afterRetrievalMs: deps.config.RETENTION_AFTER_RETRIEVAL };
    const r = await pullSession(deps.db, deps.clock, retention, actor, params.id);
    if (r.outcome === 'not_found') throw new ApiError('session_not_found', `no session "${params.id}"`);
    if (r.outcome === 'not_granted') {
      c.var.audit.team = r.team;
      throw new ApiError('not_granted', `flow "${r.flow}" has not granted platform "${actor.platform}" access`);
    }
    c.var.audit.team = r.session.team;
    if (r.outcome === 'expired') throw new ApiError('session_expired', `the data of session "${params.id}" was purged on ${r.session.purged_at?.toISOString()}`);
    // The data is spliced in as stored JSON text: no parse and re-serialise of a large document.
    const head = JSON.stringify(presentSessionSummary(r.session)).slice(0, -1);
    return c.body(`${head},"data":${r.dataJson},"files":${r.filesJson}}`, 200, { 'content-type': 'application/json' });
  },
});

import { z } from 'zod';
import { decodeCursor, listSessions } from '../../../domain/sessions.ts';
import { presentSessionSummary } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { pageQuery, sessionSummarySchema, slug, timestamp } from '../../schemas.ts';

const page = z.object({ sessions: z.array(sessionSummarySchema), next: z.string().nullable().describe('Cursor for the next page, or null at the end.') }).meta({ id: 'SessionPage' });

export default defineRoute({
  method: 'get',
  path: '/v1/sessions',
  operationId: 'listSessions',
  tag: 'Sessions',
  summary: 'List sessions of granted flows',
  description: "Pages through the consumer team's sessions, oldest first, for flows that granted this platform. Pull each one's data with `GET /v1/sessions/{id}`.",
  access: { kind: 'credential', credential: 'consumer', scope: 'sessions:read' },
  query: z.object({
    flow: slug.optional().describe('Only this flow.'),
    since: timestamp.optional().describe('Only sessions submitted at or after this time.'),
    cursor: z.string().max(512).optional().describe('The `next` value of the previous page.'),
    ...pageQuery,
  }),
  responses: {
    200: { description: 'One page of sessions.', schema: page, example: { sessions: [], next: null } },
  },
  async handler(c, { query }) {
    const { deps, actor } = c.var;
    if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a consumer credential is required');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) {
      throw new ApiError('validation_failed', 'query.cursor: not a cursor this API issued', { fields: [{ path: 'query.cursor', message: 'not a cursor this API issued', code: 'invalid_cursor' }] });
    }
    const team = actor.teams[0]!;
    const r = await listSessions(deps.db, { team, platform: actor.platform }, { flow: query.flow, since: query.since ? new Date(query.since) : undefined, after, limit: query.limit });
    return c.json({ sessions: r.sessions.map(presentSessionSummary), next: r.next });
  },
});

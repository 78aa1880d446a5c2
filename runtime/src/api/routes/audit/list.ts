import { z } from 'zod';
import { listAudit } from '../../../db/store/audit.ts';
import { presentAudit } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { auditEntrySchema, pageQuery, slug, timestamp } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';

const page = z.object({ entries: z.array(auditEntrySchema), next: z.string().nullable() }).meta({ id: 'AuditPage' });

export default defineRoute({
  method: 'get',
  path: '/v1/audit',
  operationId: 'listAudit',
  tag: 'Audit',
  summary: 'Read the audit log',
  description: 'Every API request, newest first: who (credential or operator, platform), what (route, session), when, the result and the client address. Team admins see their own team only.',
  access: { kind: 'operator' },
  query: z.object({
    team: slug.optional(),
    actor: z.string().max(64).optional().describe('A credential or operator id.'),
    session: z.string().max(128).optional().describe('A session id.'),
    status: z.coerce.number().int().min(100).max(599).optional(),
    from: timestamp.optional(),
    to: timestamp.optional(),
    cursor: z.string().regex(/^\d{1,18}$/).optional().describe('The `next` value of the previous page.'),
    ...pageQuery,
  }),
  responses: {
    200: {
      description: 'One page of entries.',
      schema: page,
      example: { entries: [{ id: 42, at: '2026-11-23T10:00:02.000Z', requestId: '0b8e5d0e-5d7c-4a57-9d0b-6f3c2f0e9a11', actorKind: 'credential', actorId: 'cred_019ab0c2d3e4a1b2c3d4e5f6', platform: 'bops', team: 'lambeth', method: 'GET', route: '/v1/sessions/{id}', path: '/v1/sessions/64608023-8592-449b-8fa0-00aed82c734c', sessionId: '64608023-8592-449b-8fa0-00aed82c734c', status: 200, code: null, clientAddress: '203.0.113.7' }], next: null },
    },
  },
  async handler(c, { query }) {
    const own = visibleTeam(c);
    if (own && query.team && query.team !== own) throw new ApiError('team_not_found', `no team "${query.team}"`);
    const rows = await listAudit(c.var.deps.db, {
      team: own ?? query.team ?? null, actorId: query.actor, sessionId: query.session, status: query.status,
      from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined,
      before: query.cursor ? Number(query.cursor) : undefined, limit: query.limit + 1,
    });
    const entries = rows.slice(0, query.limit);
    return c.json({ entries: entries.map(presentAudit), next: rows.length > query.limit ? String(entries.at(-1)!.id) : null });
  },
});

import { z } from 'zod';
import { issueTeamAdminToken } from '../../../domain/operators.ts';
import { defineRoute } from '../../route.ts';
import { slug, timestamp } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';

export default defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/admin-tokens',
  operationId: 'createTeamAdminToken',
  tag: 'Teams',
  summary: 'Issue a team-admin token',
  description: 'Admin only. The token manages this one team; it is shown once and stored as a hash.',
  access: { kind: 'operator', adminOnly: true },
  params: z.object({ team: slug }),
  body: z.object({ description: z.string().max(200).optional() }).meta({ id: 'TeamAdminTokenCreate' }),
  bodyExample: { description: 'Lambeth planning team' },
  responses: {
    201: {
      description: 'Issued. `token` is shown only now.',
      schema: z.object({ id: z.string(), team: slug, role: z.literal('team_admin'), createdAt: timestamp, token: z.string() }).meta({ id: 'IssuedOperatorToken' }),
      example: { id: 'op_019ab0c2d3e4a1b2c3d4', team: 'lambeth', role: 'team_admin', createdAt: '2026-11-23T10:00:00.000Z', token: 'sbo_…' },
    },
  },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const t = await issueTeamAdminToken(c.var.deps.db, params.team, body?.description);
    return c.json({ ...t, createdAt: t.createdAt.toISOString() }, 201);
  },
});

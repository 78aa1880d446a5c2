import { z } from 'zod';
import { insertTeam } from '../../../db/store/teams.ts';
import { presentTeam } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { slug, teamSchema, teamVariables } from '../../schemas.ts';

export const teamExample = { slug: 'lambeth', name: 'Lambeth Council', variables: { backOffice: 'bops' }, createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z' };

export default defineRoute({
  method: 'post',
  path: '/v1/teams',
  operationId: 'createTeam',
  tag: 'Teams',
  summary: 'Create a team',
  description: 'Admin only. A team owns flows, sessions and credentials.',
  access: { kind: 'operator', adminOnly: true },
  body: z.object({ slug, name: z.string().min(1).max(200), variables: teamVariables.default({}) }).meta({ id: 'TeamCreate' }),
  bodyExample: { slug: 'lambeth', name: 'Lambeth Council', variables: { backOffice: 'bops' } },
  responses: {
    201: { description: 'Created.', schema: teamSchema, example: teamExample },
    409: { description: 'A team with this slug exists.' },
  },
  async handler(c, { body }) {
    c.var.audit.team = body.slug;
    const row = await insertTeam(c.var.deps.db, body);
    if (!row) throw new ApiError('conflict', `team "${body.slug}" already exists`);
    return c.json(presentTeam(row), 201);
  },
});

import { z } from 'zod';
import { updateTeam } from '../../../db/store/teams.ts';
import { presentTeam } from '../../present.ts';
import { defineRoute } from '../../route.ts';
import { slug, teamSchema, teamVariables } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';
import { teamExample } from './create.ts';

export default defineRoute({
  method: 'patch',
  path: '/v1/teams/{team}',
  operationId: 'updateTeam',
  tag: 'Teams',
  summary: "Update a team's name or configuration variables",
  description: '`variables` replaces the whole map.',
  access: { kind: 'operator' },
  params: z.object({ team: slug }),
  body: z.object({ name: z.string().min(1).max(200).optional(), variables: teamVariables.optional() }).meta({ id: 'TeamUpdate' }),
  bodyExample: { variables: { backOffice: 'bops', region: 'london' } },
  responses: { 200: { description: 'The updated team.', schema: teamSchema, example: teamExample } },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const row = await updateTeam(c.var.deps.db, params.team, body);
    return c.json(presentTeam(row!));
  },
});

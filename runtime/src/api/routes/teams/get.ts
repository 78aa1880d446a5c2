import { z } from 'zod';
import { presentTeam } from '../../present.ts';
import { defineRoute } from '../../route.ts';
import { slug, teamSchema } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';
import { teamExample } from './create.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/teams/{team}',
  operationId: 'getTeam',
  tag: 'Teams',
  summary: 'Get a team',
  description: 'A team admin asking for another team gets 404.',
  access: { kind: 'operator' },
  params: z.object({ team: slug }),
  responses: { 200: { description: 'The team.', schema: teamSchema, example: teamExample } },
  async handler(c, { params }) {
    return c.json(presentTeam(await requireTeam(c, params.team)));
  },
});

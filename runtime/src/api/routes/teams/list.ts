import { z } from 'zod';
import { listTeams } from '../../../db/store/teams.ts';
import { presentTeam } from '../../present.ts';
import { defineRoute } from '../../route.ts';
import { teamSchema } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';
import { teamExample } from './create.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/teams',
  operationId: 'listTeams',
  tag: 'Teams',
  summary: 'List teams',
  description: 'Admins see every team; a team admin sees its own.',
  access: { kind: 'operator' },
  responses: { 200: { description: 'The teams.', schema: z.object({ teams: z.array(teamSchema) }), example: { teams: [teamExample] } } },
  async handler(c) {
    const rows = await listTeams(c.var.deps.db, visibleTeam(c) ?? undefined);
    return c.json({ teams: rows.map(presentTeam) });
  },
});

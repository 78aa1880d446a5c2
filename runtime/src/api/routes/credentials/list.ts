import { z } from 'zod';
import { listCredentials } from '../../../db/store/credentials.ts';
import { publicCredential } from '../../../domain/credentials.ts';
import { presentCredential } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { credentialSchema, slug } from '../../schemas.ts';
import { visibleTeam } from '../../team-scope.ts';
import { credentialExample } from './shared.ts';

export default defineRoute({
  method: 'get',
  path: '/v1/credentials',
  operationId: 'listCredentials',
  tag: 'Credentials',
  summary: 'List credentials',
  description: 'Never returns secrets. A team admin sees the credentials serving its team.',
  access: { kind: 'operator' },
  query: z.object({ team: slug.optional().describe('Only credentials serving this team.') }),
  responses: { 200: { description: 'The credentials.', schema: z.object({ credentials: z.array(credentialSchema) }), example: { credentials: [credentialExample] } } },
  async handler(c, { query }) {
    const own = visibleTeam(c);
    if (own && query.team && query.team !== own) throw new ApiError('team_not_found', `no team "${query.team}"`);
    const rows = await listCredentials(c.var.deps.db, own ?? query.team ?? null);
    return c.json({ credentials: rows.map((r) => presentCredential(publicCredential(r))) });
  },
});

import { z } from 'zod';
import { deleteGrant, insertGrant, listGrants } from '../../../db/store/grants.ts';
import { getFlow } from '../../../db/store/teams.ts';
import { presentGrant } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { destinationKind, grantSchema, slug } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';

const params = z.object({ team: slug, flow: slug });
const grantExample = { team: 'lambeth', flow: 'apply-for-a-lawful-development-certificate', destinationKind: 'platform', destination: 'bops', grantedBy: 'op_019ab0c2d3e4a1b2c3d4', createdAt: '2026-11-23T10:00:00.000Z' };

async function requireFlow(c: Parameters<typeof requireTeam>[0], team: string, flow: string) {
  await requireTeam(c, team);
  if (!(await getFlow(c.var.deps.db, team, flow))) throw new ApiError('not_found', `no flow "${flow}" in team "${team}"`);
}

function actorId(c: Parameters<typeof requireTeam>[0]): string {
  const a = c.var.actor;
  return 'id' in a ? a.id : 'unknown';
}

export const createGrant = defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/flows/{flow}/grants',
  operationId: 'createGrant',
  tag: 'Grants',
  summary: 'Grant a destination access to a flow',
  description: "Explicit access: nothing of the flow reaches a destination without a grant. A platform grant lets that platform's consumer credentials pull the flow's sessions. Granting twice is harmless.",
  access: { kind: 'operator' },
  params,
  body: z.object({ destinationKind: destinationKind.default('platform'), destination: z.string().min(1).max(200) }).meta({ id: 'GrantCreate' }),
  bodyExample: { destinationKind: 'platform', destination: 'bops' },
  responses: { 201: { description: 'Granted.', schema: grantSchema, example: grantExample } },
  async handler(c, { params, body }) {
    await requireFlow(c, params.team, params.flow);
    const row = await insertGrant(c.var.deps.db, { team: params.team, flow: params.flow, destination_kind: body.destinationKind, destination: body.destination, granted_by: actorId(c) });
    return c.json(presentGrant(row), 201);
  },
});

export const listGrantsRoute = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/flows/{flow}/grants',
  operationId: 'listGrants',
  tag: 'Grants',
  summary: "List a flow's grants",
  description: 'Every destination the flow has granted.',
  access: { kind: 'operator' },
  params,
  responses: { 200: { description: 'The grants.', schema: z.object({ grants: z.array(grantSchema) }), example: { grants: [grantExample] } } },
  async handler(c, { params }) {
    await requireFlow(c, params.team, params.flow);
    return c.json({ grants: (await listGrants(c.var.deps.db, params.team, params.flow)).map(presentGrant) });
  },
});

export const deleteGrantRoute = defineRoute({
  method: 'delete',
  path: '/v1/teams/{team}/flows/{flow}/grants/{destinationKind}/{destination}',
  operationId: 'revokeGrant',
  tag: 'Grants',
  summary: 'Withdraw a grant',
  description: 'From now on the destination sees nothing of this flow.',
  access: { kind: 'operator' },
  params: params.extend({ destinationKind, destination: z.string().min(1).max(200) }),
  responses: { 204: { description: 'Withdrawn.' }, 404: { description: 'No such grant.' } },
  async handler(c, { params }) {
    await requireFlow(c, params.team, params.flow);
    const gone = await deleteGrant(c.var.deps.db, { team: params.team, flow: params.flow, destination_kind: params.destinationKind, destination: params.destination });
    if (!gone) throw new ApiError('not_found', 'no such grant');
    return c.body(null, 204);
  },
});

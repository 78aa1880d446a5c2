import { z } from 'zod';
import { insertFlow, listFlows } from '../../../db/store/teams.ts';
import { presentFlow } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { flowSchema, slug } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';

const flowExample = { team: 'lambeth', slug: 'apply-for-a-lawful-development-certificate', name: 'Apply for a lawful development certificate', createdAt: '2026-11-23T10:00:00.000Z' };

export const createFlow = defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/flows',
  operationId: 'createFlow',
  tag: 'Flows',
  summary: 'Create a flow',
  description: 'Flows are also registered on the first session submitted for them.',
  access: { kind: 'operator' },
  params: z.object({ team: slug }),
  body: z.object({ slug, name: z.string().min(1).max(200) }).meta({ id: 'FlowCreate' }),
  bodyExample: { slug: flowExample.slug, name: flowExample.name },
  responses: {
    201: { description: 'Created.', schema: flowSchema, example: flowExample },
    409: { description: 'The flow exists.' },
  },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const row = await insertFlow(c.var.deps.db, { team: params.team, ...body });
    if (!row) throw new ApiError('conflict', `flow "${body.slug}" already exists in team "${params.team}"`);
    return c.json(presentFlow(row), 201);
  },
});

export const listFlowsRoute = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/flows',
  operationId: 'listFlows',
  tag: 'Flows',
  summary: "List a team's flows",
  description: 'Every flow of the team, by slug.',
  access: { kind: 'operator' },
  params: z.object({ team: slug }),
  responses: { 200: { description: 'The flows.', schema: z.object({ flows: z.array(flowSchema) }), example: { flows: [flowExample] } } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    return c.json({ flows: (await listFlows(c.var.deps.db, params.team)).map(presentFlow) });
  },
});

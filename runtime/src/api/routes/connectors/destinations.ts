import { z } from 'zod';
import { validateAgainst } from '../../../connectors/json-schema.ts';
import { getPackage, listEnablements } from '../../../db/store/connectors.ts';
import { consumerPlatforms, getSessionData } from '../../../db/store/destinations.ts';
import { listGrants } from '../../../db/store/grants.ts';
import { getFlow } from '../../../db/store/teams.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { slug } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';

const destination = z.object({
  kind: z.enum(['platform', 'webhook', 'connector']),
  destination: z.string().describe('Platform name, webhook id, or connector enablement id: what a grant names.'),
  label: z.string(),
  granted: z.boolean(),
  active: z.boolean(),
  satisfied: z.boolean().nullable().describe('With `sessionId`: whether that session meets the destination’s requirements (null when none are declared).'),
  failingPaths: z.array(z.string()).describe('With `sessionId`: the fields that fail the requirements.'),
}).meta({ id: 'FlowDestination' });

export const listFlowDestinations = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/flows/{flow}/destinations',
  operationId: 'listFlowDestinations',
  tag: 'Grants',
  summary: 'List what a flow could send to',
  description: "For the producer's Send step: every destination that could be granted for this flow (platforms holding a consumer credential for the team, the team's connector enablements covering the flow, and granted webhooks) with whether each is granted. Given `sessionId`, also whether that sample session satisfies each connector's declared `requires`.",
  access: { kind: 'operator' },
  params: z.object({ team: slug, flow: slug }),
  query: z.object({ sessionId: z.string().max(128).optional() }),
  responses: {
    200: {
      description: 'The destinations.', schema: z.object({ destinations: z.array(destination) }),
      example: { destinations: [
        { kind: 'platform', destination: 'bops', label: 'bops', granted: true, active: true, satisfied: null, failingPaths: [] },
        { kind: 'connector', destination: 'cen_019ab0c2d3e4a1b2c3d4', label: '@switchboard/connector-bops@1.0.0', granted: false, active: true, satisfied: false, failingPaths: ['passport.data.applicant.email: must have required property'] },
      ] },
    },
    404: { description: 'No such flow or session.' },
  },
  async handler(c, { params, query }) {
    await requireTeam(c, params.team);
    const { db } = c.var.deps;
    if (!(await getFlow(db, params.team, params.flow))) throw new ApiError('not_found', `no flow "${params.flow}" in team "${params.team}"`);
    const grants = await listGrants(db, params.team, params.flow);
    const granted = (kind: string, d: string) => grants.some((g) => g.destination_kind === kind && g.destination === d);
    const sample = query.sessionId ? await getSessionData(db, params.team, query.sessionId) : undefined;
    if (query.sessionId && !sample) throw new ApiError('session_not_found', `no session "${query.sessionId}" in team "${params.team}"`);

    const out: z.infer<typeof destination>[] = [];
    for (const p of await consumerPlatforms(db, params.team)) {
      out.push({ kind: 'platform', destination: p, label: p, granted: granted('platform', p), active: true, satisfied: null, failingPaths: [] });
    }
    for (const g of grants.filter((x) => x.destination_kind === 'webhook')) {
      out.push({ kind: 'webhook', destination: g.destination, label: g.destination, granted: true, active: true, satisfied: null, failingPaths: [] });
    }
    for (const en of (await listEnablements(db, params.team)).filter((e) => e.flows.includes(params.flow))) {
      const pkg = await getPackage(db, en.package, en.version);
      const requires = pkg?.manifest.requires;
      const issues = requires && sample ? validateAgainst(requires, sample.data ?? {}) : [];
      out.push({
        kind: 'connector', destination: en.id, label: `${en.package}@${en.version}`, granted: granted('connector', en.id), active: en.active,
        satisfied: requires && sample ? issues.length === 0 : null, failingPaths: issues.map((i) => `${i.path}: ${i.message}`),
      });
    }
    return c.json({ destinations: out });
  },
});

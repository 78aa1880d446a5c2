import { z } from 'zod';
import { enqueueRuns } from '../../../connectors/queue.ts';
import { getEnablement, getRun, insertRun, listRuns, requeueRun } from '../../../db/store/connectors.ts';
import { getSessionData } from '../../../db/store/destinations.ts';
import { newId } from '../../../domain/ids.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { slug } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';
import { presentRun, requireQueue, runSchema, runStatus } from './shapes.ts';

const teamParams = z.object({ team: slug });
const example = {
  id: 'run_019ab0c2d3e4a1b2c3d4', team: 'lambeth', enablementId: 'cen_019ab0c2d3e4a1b2c3d4', eventId: 'evt_019ab0c2d3e4a1b2c3d4',
  sessionId: '64608023-8592-449b-8fa0-00aed82c734c', status: 'success' as const, dryRun: false, attempts: 1, result: 'success', error: null, limitHit: null,
  skippedPaths: null, durationMs: 41.2, cpuMs: 3.1, memoryBytes: 1843200,
  requests: [{ method: 'POST', host: 'lambeth.bops.services', path: '/api/v1/planning_applications', status: 200, durationMs: 35.4 }],
  logs: ['BOPS application 42'], package: '@switchboard/connector-bops', version: '1.0.0', nextAttemptAt: null,
  createdAt: '2026-11-23T10:00:00.000Z', startedAt: '2026-11-23T10:00:00.010Z', finishedAt: '2026-11-23T10:00:00.051Z',
};

export const listConnectorRuns = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/connector-runs',
  operationId: 'listConnectorRuns',
  tag: 'Connectors',
  summary: 'List connector runs',
  description: 'Newest first; filter by enablement, event, session or status. Requests are recorded without bodies. Page with `before` (the last run id of the previous page).',
  access: { kind: 'operator' },
  params: teamParams,
  query: z.object({
    enablement: z.string().max(64).optional(), event: z.string().max(64).optional(), session: z.string().max(128).optional(), status: runStatus.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50), before: z.string().max(64).optional(),
  }),
  responses: { 200: { description: 'The runs.', schema: z.object({ runs: z.array(runSchema) }), example: { runs: [example] } } },
  async handler(c, { params, query }) {
    await requireTeam(c, params.team);
    const { db } = c.var.deps;
    const before = query.before ? await getRun(db, params.team, query.before) : undefined;
    const runs = await listRuns(db, {
      team: params.team, enablementId: query.enablement, eventId: query.event, sessionId: query.session, status: query.status, limit: query.limit,
      before: before ? { at: before.created_at, id: before.id } : undefined,
    });
    return c.json({ runs: runs.map(presentRun) });
  },
});

export const getConnectorRun = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/connector-runs/{run}',
  operationId: 'getConnectorRun',
  tag: 'Connectors',
  summary: 'Get one connector run',
  description: 'Status, timings, CPU, memory, the requests made (no bodies) and the captured log lines.',
  access: { kind: 'operator' },
  params: teamParams.extend({ run: z.string().max(64) }),
  responses: { 200: { description: 'The run.', schema: runSchema, example }, 404: { description: 'No such run.' } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    const run = await getRun(c.var.deps.db, params.team, params.run);
    if (!run) throw new ApiError('not_found', `no run "${params.run}"`);
    return c.json(presentRun(run));
  },
});

export const retryConnectorRun = defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/connector-runs/{run}/retry',
  operationId: 'retryConnectorRun',
  tag: 'Connectors',
  summary: 'Retry a run',
  description: 'Queues a finished run (typically `dead`) again with a fresh attempt budget. 409 while it is still queued or running.',
  access: { kind: 'operator' },
  params: teamParams.extend({ run: z.string().max(64) }),
  responses: { 202: { description: 'Queued.', schema: runSchema, example: { ...example, status: 'queued' as const } }, 404: { description: 'No such run.' }, 409: { description: 'Still queued or running.' } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    const queue = requireQueue(c);
    const run = await c.var.deps.db.tx(async (q) => {
      const r = await requeueRun(q, params.team, params.run);
      if (r) await enqueueRuns(queue, [{ runId: r.id, team: r.team }], q);
      return r;
    });
    if (!run) {
      if (await getRun(c.var.deps.db, params.team, params.run)) throw new ApiError('conflict', 'the run is still queued or running');
      throw new ApiError('not_found', `no run "${params.run}"`);
    }
    return c.json(presentRun(run), 202);
  },
});

export const runConnectorNow = defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/connectors/{id}/runs',
  operationId: 'runConnectorNow',
  tag: 'Connectors',
  summary: 'Run an enablement now against a session',
  description: 'Queues a run for the chosen session of this team (the flow must grant the enablement, as for any run). With `dryRun`, requests are recorded but not sent (each answers 200 with no body) and failures are not retried.',
  access: { kind: 'operator' },
  params: teamParams.extend({ id: z.string().max(64) }),
  body: z.object({ sessionId: z.string().min(1).max(128), dryRun: z.boolean().default(false) }).meta({ id: 'ConnectorRunNow' }),
  bodyExample: { sessionId: '64608023-8592-449b-8fa0-00aed82c734c', dryRun: true },
  responses: { 202: { description: 'Queued.', schema: runSchema, example: { ...example, status: 'queued' as const, dryRun: true, eventId: null } }, 404: { description: 'No such enablement or session.' } },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const queue = requireQueue(c);
    const { db, clock } = c.var.deps;
    const en = await getEnablement(db, params.team, params.id);
    if (!en) throw new ApiError('not_found', `no connector enablement "${params.id}"`);
    if (!(await getSessionData(db, params.team, body.sessionId))) throw new ApiError('session_not_found', `no session "${body.sessionId}" in team "${params.team}"`);
    c.var.audit.sessionId = body.sessionId;
    const run = await db.tx(async (q) => {
      const r = await insertRun(q, { id: newId('run'), team: params.team, enablementId: en.id, sessionId: body.sessionId, dryRun: body.dryRun, package: en.package, version: en.version, now: clock.now() });
      await enqueueRuns(queue, [{ runId: r.id, team: r.team }], q);
      return r;
    });
    return c.json(presentRun(run), 202);
  },
});



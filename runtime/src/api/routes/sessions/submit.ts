import { z } from 'zod';
import { ingestSession } from '../../../domain/sessions.ts';
import { presentSessionSummary } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { sessionSummarySchema, slug } from '../../schemas.ts';

const body = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits and . _ : -, at most 128 characters')
    .describe("The producer's own session id. Submitting the same id again returns the first result."),
  team: slug,
  flow: slug,
  paymentId: z.string().max(200).optional(),
  data: z.record(z.string(), z.unknown()).describe('Session data (free-form JSON object: passport, breadcrumbs, paymentDetails, …).'),
  files: z.array(z.object({ name: z.string().min(1).max(255), url: z.url().optional(), contentType: z.string().optional(), size: z.number().int().min(0).optional() }).loose()).max(1000).optional()
    .describe('References to files belonging to the session.'),
}).meta({ id: 'SessionSubmission' });

const result = z.object({ session: sessionSummarySchema, eventId: z.string().nullable(), duplicate: z.boolean() }).meta({ id: 'SubmissionResult' });

const example = {
  session: { id: '64608023-8592-449b-8fa0-00aed82c734c', team: 'lambeth', flow: 'apply-for-a-lawful-development-certificate', paymentId: 'd06ab578-c9d9-4bed-b1b3-0dd6245b7efd', submittedAt: '2026-11-23T10:00:00.000Z', firstRetrievedAt: null, purgeAfter: '2026-12-23T10:00:00.000Z', purgedAt: null },
  eventId: 'evt_019ab0c2d3e4a1b2c3d4e5f6a7b8', duplicate: false,
};

export default defineRoute({
  method: 'post',
  path: '/v1/sessions',
  operationId: 'submitSession',
  tag: 'Sessions',
  summary: 'Submit a completed session',
  description: 'Stores the session and raises a `session.submitted` event in the same transaction. Idempotent on `id`: a repeat returns the first result with 200 and `duplicate: true`. The producer credential must serve the team.',
  access: { kind: 'credential', credential: 'producer', scope: 'sessions:write' },
  body,
  bodyLimit: 'MAX_SESSION_BYTES',
  bodyExample: {
    id: '64608023-8592-449b-8fa0-00aed82c734c', team: 'lambeth', flow: 'apply-for-a-lawful-development-certificate',
    paymentId: 'd06ab578-c9d9-4bed-b1b3-0dd6245b7efd',
    data: { passport: { data: { 'applicant.name.first': 'Ada' } }, breadcrumbs: {}, paymentDetails: {} },
  },
  responses: {
    201: { description: 'Stored; the event is raised.', schema: result, example },
    200: { description: 'Already stored under this id: the first result.', schema: result, example: { ...example, duplicate: true } },
    409: { description: 'The id is taken by a session of another team or flow.' },
  },
  async handler(c, { body }) {
    const { deps, actor } = c.var;
    c.var.audit.team = body.team;
    c.var.audit.sessionId = body.id;
    if (actor.kind !== 'credential' || !actor.teams.includes(body.team)) {
      throw new ApiError('forbidden', `this credential does not submit for team "${body.team}"`);
    }
    const retention = { afterSubmissionMs: deps.config.RETENTION_AFTER_SUBMISSION, afterRetrievalMs: deps.config.RETENTION_AFTER_RETRIEVAL };
    const r = await ingestSession(deps.db, deps.clock, retention, actor.platform, body);
    if (r.outcome === 'conflict') throw new ApiError('session_id_conflict', `session id "${body.id}" is already used by another team or flow`);
    return c.json({ session: presentSessionSummary(r.session), eventId: r.eventId, duplicate: r.outcome === 'duplicate' }, r.outcome === 'created' ? 201 : 200);
  },
});

import { z } from 'zod';
import { insertTicket } from '../../../db/store/cable.ts';
import { hashSecret, randomSecret } from '../../../domain/secrets.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { timestamp } from '../../schemas.ts';

const TICKET_TTL_MS = 60_000;

export default defineRoute({
  method: 'post',
  path: '/v1/cable/tickets',
  operationId: 'createCableTicket',
  tag: 'Events',
  summary: 'Get a websocket ticket for a browser',
  description: 'Browsers cannot send an Authorization header on a websocket upgrade: this returns a single-use ticket, valid for 60 seconds, to pass as `GET /v1/cable?ticket=…`.',
  access: { kind: 'credential', credential: 'consumer', scope: 'events:read' },
  responses: {
    201: {
      description: 'A ticket, usable once.',
      schema: z.object({ ticket: z.string(), expiresAt: timestamp, url: z.string() }).meta({ id: 'CableTicket' }),
      example: { ticket: 'sbt_3q2+7w…', expiresAt: '2026-11-23T10:01:00.000Z', url: '/v1/cable?ticket=sbt_3q2%2B7w…' },
    },
  },
  async handler(c) {
    const { deps, actor } = c.var;
    if (actor.kind !== 'credential') throw new ApiError('unauthenticated', 'a consumer credential is required');
    const ticket = randomSecret('sbt');
    const expiresAt = new Date(deps.clock.now().getTime() + TICKET_TTL_MS);
    await insertTicket(deps.db, { hash: hashSecret(ticket), credentialId: actor.id, expiresAt });
    return c.json({ ticket, expiresAt: expiresAt.toISOString(), url: `/v1/cable?ticket=${encodeURIComponent(ticket)}` }, 201);
  },
});

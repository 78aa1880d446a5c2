import { z } from 'zod';
import { revokeCredential } from '../../../db/store/credentials.ts';
import { publicCredential } from '../../../domain/credentials.ts';
import { presentCredential } from '../../present.ts';
import { defineRoute } from '../../route.ts';
import { credentialSchema } from '../../schemas.ts';
import { credentialExample, requireCredential } from './shared.ts';

export default defineRoute({
  method: 'post',
  path: '/v1/credentials/{id}/revoke',
  operationId: 'revokeCredential',
  tag: 'Credentials',
  summary: 'Revoke a credential',
  description: 'Takes effect in every process within a second. Revoking twice is harmless.',
  access: { kind: 'operator' },
  params: z.object({ id: z.string().min(1).max(64) }),
  responses: { 200: { description: 'Revoked.', schema: credentialSchema, example: { ...credentialExample, revokedAt: '2026-11-24T10:00:00.000Z' } } },
  async handler(c, { params }) {
    const { deps } = c.var;
    await requireCredential(c, params.id);
    const row = await revokeCredential(deps.db, params.id, deps.clock.now());
    return c.json(presentCredential(publicCredential(row!)));
  },
});

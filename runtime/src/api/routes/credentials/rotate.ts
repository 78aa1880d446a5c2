import { z } from 'zod';
import { rotateCredential } from '../../../domain/credentials.ts';
import { presentCredential } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { issuedCredentialSchema } from '../../schemas.ts';
import { credentialExample, requireCredential } from './shared.ts';

export default defineRoute({
  method: 'post',
  path: '/v1/credentials/{id}/rotate',
  operationId: 'rotateCredential',
  tag: 'Credentials',
  summary: 'Rotate a secret',
  description: 'Issues a new secret (shown once). The old one keeps working for the overlap (default 24 h, `SECRET_ROTATION_OVERLAP`) so consumers can switch without downtime.',
  access: { kind: 'operator' },
  params: z.object({ id: z.string().min(1).max(64) }),
  body: z.object({ overlapSeconds: z.number().int().min(0).max(30 * 86400).optional().describe('How long the old secret stays valid.') }).meta({ id: 'CredentialRotate' }),
  bodyExample: { overlapSeconds: 3600 },
  responses: {
    200: { description: 'Rotated.', schema: issuedCredentialSchema, example: { credential: { ...credentialExample, rotatedAt: '2026-11-24T10:00:00.000Z', previousSecretExpiresAt: '2026-11-25T10:00:00.000Z' }, secret: 'sbs_…' } },
    409: { description: 'The credential is revoked.' },
  },
  async handler(c, { params, body }) {
    const { deps } = c.var;
    await requireCredential(c, params.id);
    const overlap = body?.overlapSeconds !== undefined ? body.overlapSeconds * 1000 : deps.config.SECRET_ROTATION_OVERLAP;
    const r = await rotateCredential(deps.db, deps.clock, params.id, overlap);
    if (!r) throw new ApiError('conflict', 'a revoked credential cannot be rotated');
    return c.json({ credential: presentCredential(r.credential), secret: r.secret });
  },
});

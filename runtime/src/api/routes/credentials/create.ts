import { z } from 'zod';
import { getTeam } from '../../../db/store/teams.ts';
import { issueCredential } from '../../../domain/credentials.ts';
import { consumerScopes, producerScopes, scopeSchema } from '../../../domain/scopes.ts';
import { presentCredential } from '../../present.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { issuedCredentialSchema, platformName, slug } from '../../schemas.ts';
import { credentialExample } from './shared.ts';

const body = z.object({
  kind: z.enum(['producer', 'consumer']),
  platform: platformName.describe('The consumer platform (e.g. `bops`) or, for producers, the producing service.'),
  teams: z.array(slug).min(1).max(1000).describe('Consumers: exactly one team. Producers: every team the credential submits for.'),
  scopes: z.array(scopeSchema).min(1).optional().describe('Defaults: producers `sessions:write`; consumers `sessions:read`.'),
  description: z.string().max(200).optional(),
}).superRefine((b, ctx) => {
  const allowed: readonly string[] = b.kind === 'producer' ? producerScopes : consumerScopes;
  b.scopes?.forEach((s, i) => {
    if (!allowed.includes(s)) ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `a ${b.kind} credential cannot have scope ${s}` });
  });
  if (b.kind === 'consumer' && b.teams.length !== 1) ctx.addIssue({ code: 'custom', path: ['teams'], message: 'a consumer credential serves exactly one team' });
}).meta({ id: 'CredentialCreate' });

export default defineRoute({
  method: 'post',
  path: '/v1/credentials',
  operationId: 'createCredential',
  tag: 'Credentials',
  summary: 'Issue an API key and secret',
  description: 'Issued per team, per platform, for this environment (the key carries it in its prefix). The secret is shown once and stored only as a hash. A team admin can issue credentials for its own team only.',
  access: { kind: 'operator' },
  body,
  bodyExample: { kind: 'consumer', platform: 'bops', teams: ['lambeth'], scopes: ['sessions:read'], description: 'BOPS production' },
  responses: { 201: { description: 'Issued. `secret` is shown only now.', schema: issuedCredentialSchema, example: { credential: credentialExample, secret: 'sbs_…' } } },
  async handler(c, { body }) {
    const { deps, actor } = c.var;
    if (body.teams.length === 1) c.var.audit.team = body.teams[0]!;
    if (actor.kind === 'team_admin' && body.teams.some((t) => t !== actor.team)) {
      throw new ApiError('team_not_found', `no team "${body.teams.find((t) => t !== actor.team)}"`);
    }
    for (const [i, team] of body.teams.entries()) {
      if (!(await getTeam(deps.db, team))) {
        throw new ApiError('validation_failed', `body.teams.${i}: no team "${team}"`, { fields: [{ path: `body.teams.${i}`, message: `no team "${team}"`, code: 'unknown_team' }] });
      }
    }
    const scopes = body.scopes ?? [body.kind === 'producer' ? 'sessions:write' : 'sessions:read'];
    const issued = await issueCredential(deps.db, deps.config.SWITCHBOARD_ENV, { ...body, teams: [...new Set(body.teams)], scopes: [...new Set(scopes)] });
    return c.json({ credential: presentCredential(issued.credential), secret: issued.secret }, 201);
  },
});

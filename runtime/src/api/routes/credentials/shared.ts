import type { Context } from 'hono';
import { getCredential } from '../../../db/store/credentials.ts';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../problem.ts';
import { visibleTeam } from '../../team-scope.ts';

export const credentialExample = {
  id: 'cred_019ab0c2d3e4a1b2c3d4e5f6', key: 'sbk_production_3f9a0c5e7d1b2a4c6e8f0a1b2c3d4e5f', kind: 'consumer', platform: 'bops', environment: 'production',
  teams: ['lambeth'], scopes: ['sessions:read'], description: 'BOPS production', createdAt: '2026-11-23T10:00:00.000Z', rotatedAt: null, previousSecretExpiresAt: null, revokedAt: null,
};

/** A credential the operator may manage: a team admin only sees those serving its team. */
export async function requireCredential(c: Context<AppEnv>, id: string) {
  const row = await getCredential(c.var.deps.db, id, visibleTeam(c));
  if (!row) throw new ApiError('not_found', `no credential "${id}"`);
  if (row.teams.length === 1) c.var.audit.team = row.teams[0]!;
  return row;
}

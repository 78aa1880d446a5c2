import type { Context } from 'hono';
import { findOperator } from '../../domain/operators.ts';
import type { Actor, AppEnv } from '../context.ts';
import { ApiError } from '../problem.ts';
import type { Access } from '../route.ts';

function parseBasic(header: string): { key: string; secret: string } | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

const challenge = { 'www-authenticate': 'Basic realm="switchboard", Bearer realm="switchboard"' };

/** Establishes who is calling, per the route's access rule; throws a 401/403 problem otherwise. */
export async function authenticate(c: Context<AppEnv>, access: Access): Promise<Actor> {
  if (access.kind === 'public') return { kind: 'anonymous' };
  const header = c.req.header('authorization') ?? '';
  const { deps } = c.var;

  if (access.kind === 'operator') {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new ApiError('unauthenticated', 'an operator token is required (Authorization: Bearer …)', { headers: challenge });
    const row = await findOperator(deps.db, token);
    if (!row) throw new ApiError('unauthenticated', 'the operator token is not valid', { headers: challenge });
    if (row.role === 'admin') return { kind: 'admin', id: row.id };
    if (access.adminOnly) throw new ApiError('forbidden', 'this operation needs the admin token');
    return { kind: 'team_admin', id: row.id, team: row.team! };
  }

  const basic = parseBasic(header);
  if (!basic) throw new ApiError('unauthenticated', 'an API key and secret are required (HTTP Basic auth)', { headers: challenge });
  c.var.audit.actorId = basic.key;
  const result = await deps.verifyCredential(basic.key, basic.secret);
  if (!result.ok) {
    if (result.reason === 'wrong_environment') {
      throw new ApiError('wrong_environment', `this key was issued for another environment; this is ${deps.config.SWITCHBOARD_ENV}`);
    }
    throw new ApiError('unauthenticated', 'the API key or secret is not valid', { headers: challenge });
  }
  const cred = result.credential;
  c.var.audit.actorId = cred.id;
  c.var.audit.platform = cred.platform;
  if (cred.kind !== access.credential || !cred.scopes.includes(access.scope)) {
    throw new ApiError('insufficient_scope', `this operation needs a ${access.credential} credential with scope ${access.scope}`);
  }
  return { kind: 'credential', id: cred.id, credentialKind: cred.kind, platform: cred.platform, teams: cred.teams, scopes: cred.scopes };
}

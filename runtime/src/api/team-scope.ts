import type { Context } from 'hono';
import { getTeam } from '../db/store/teams.ts';
import type { AppEnv } from './context.ts';
import { ApiError } from './problem.ts';

/**
 * The team an operator may act on. A team admin asking for another team gets the same 404
 * as for a team that does not exist: nothing leaks that it does.
 */
export async function requireTeam(c: Context<AppEnv>, slug: string) {
  const actor = c.var.actor;
  c.var.audit.team = slug;
  const notFound = new ApiError('team_not_found', `no team "${slug}"`);
  if (actor.kind === 'team_admin' && actor.team !== slug) throw notFound;
  if (actor.kind !== 'admin' && actor.kind !== 'team_admin') throw new ApiError('forbidden', 'operators only');
  const team = await getTeam(c.var.deps.db, slug);
  if (!team) throw notFound;
  return team;
}

/** The team filter for listings: a team admin sees its own team only, an admin sees all (null). */
export function visibleTeam(c: Context<AppEnv>): string | null {
  const actor = c.var.actor;
  if (actor.kind === 'team_admin') return actor.team;
  if (actor.kind === 'admin') return null;
  throw new ApiError('forbidden', 'operators only');
}

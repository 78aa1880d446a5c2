/**
 * Which webhooks an event reaches. Pure functions: the fan-out loads webhooks, team variables
 * and grants, and asks these.
 *
 * Globs: `*` matches any run of characters (dots included), every other character matches
 * itself; the whole string must match. So `session.*` matches `session.submitted`, `*` matches
 * everything, and `lambeth-*` matches `lambeth-ldc`.
 */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

export type Subscription = {
  team: string; // a slug, or '*'
  eventTypes: string[];
  flow: string; // glob
  teamVariables: Record<string, string>;
};

export type MatchableEvent = { type: string; team: string; flow: string | null };

/**
 * Whether the subscription wants the event: type matches one glob, team exactly (or `*`),
 * flow by glob (an event without a flow only matches `*`), and every team variable holds.
 */
export function subscriptionMatches(s: Subscription, e: MatchableEvent, teamVariables: Record<string, string>): boolean {
  if (s.team !== '*' && s.team !== e.team) return false;
  if (!s.eventTypes.some((p) => globMatches(p, e.type))) return false;
  if (e.flow === null ? s.flow !== '*' : !globMatches(s.flow, e.flow)) return false;
  return Object.entries(s.teamVariables).every(([k, v]) => teamVariables[k] === v);
}

/**
 * Whether the event may be delivered: events about a flow need the flow's grant to this
 * webhook; events with no flow (e.g. `webhook.disabled`) carry no session data and need none.
 */
export function granted(e: MatchableEvent, webhookId: string, grants: ReadonlySet<string>): boolean {
  return e.flow === null || grants.has(grantKey(e.team, e.flow, webhookId));
}

export const grantKey = (team: string, flow: string, webhookId: string) => `${team}\u0000${flow}\u0000${webhookId}`;

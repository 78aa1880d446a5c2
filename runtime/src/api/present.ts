import type { AuditRow } from '../db/store/audit.ts';
import type { GrantRow } from '../db/store/grants.ts';
import type { SessionMeta } from '../db/store/sessions.ts';
import type { FlowRow, TeamRow } from '../db/store/teams.ts';
import type { Credential } from '../domain/credentials.ts';

// Rows (snake_case, Dates) → API shapes (camelCase, ISO strings), one function each.

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentTeam = (t: TeamRow) => ({ slug: t.slug, name: t.name, variables: t.variables, createdAt: t.created_at.toISOString(), updatedAt: t.updated_at.toISOString() });

export const presentFlow = (f: FlowRow) => ({ team: f.team, slug: f.slug, name: f.name, createdAt: f.created_at.toISOString() });

export const presentGrant = (g: GrantRow) => ({
  team: g.team, flow: g.flow, destinationKind: g.destination_kind, destination: g.destination, grantedBy: g.granted_by, createdAt: g.created_at.toISOString(),
});

export const presentCredential = (c: Credential) => ({
  id: c.id, key: c.key, kind: c.kind, platform: c.platform, environment: c.environment, teams: c.teams, scopes: c.scopes,
  description: c.description, createdAt: c.created_at.toISOString(), rotatedAt: iso(c.rotated_at),
  previousSecretExpiresAt: iso(c.previous_expires_at), revokedAt: iso(c.revoked_at),
});

export const presentSessionSummary = (s: SessionMeta) => ({
  id: s.id, team: s.team, flow: s.flow, paymentId: s.payment_id, submittedAt: s.submitted_at.toISOString(),
  firstRetrievedAt: iso(s.first_retrieved_at), purgeAfter: s.purge_after.toISOString(), purgedAt: iso(s.purged_at),
});

export const presentAudit = (a: AuditRow) => ({
  id: a.id, at: a.at.toISOString(), requestId: a.request_id, actorKind: a.actor_kind, actorId: a.actor_id, platform: a.platform,
  team: a.team, method: a.method, route: a.route, path: a.path, sessionId: a.session_id, status: a.status, code: a.code, clientAddress: a.client_address,
});

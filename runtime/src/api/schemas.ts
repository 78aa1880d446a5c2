import { z } from 'zod';
import { scopeSchema } from '../domain/scopes.ts';

// Shared shapes at the HTTP edge. Named ones (meta id) become components in the OpenAPI document.

export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters');
export const platformName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, dashes and underscores, at most 63 characters');
export const timestamp = z.iso.datetime({ offset: true });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('Stable machine-readable error code.'),
  detail: z.string().optional(),
  fields: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional()
    .describe('For validation errors: each offending field.'),
  requestId: z.string().optional(),
}).meta({ id: 'Problem', description: 'An RFC 9457 problem document.' });

export const teamVariables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(1024))
  .refine((v) => Object.keys(v).length <= 100, 'at most 100 variables')
  .describe('Flat key → value configuration variables that webhooks and connectors match on.');

export const teamSchema = z.object({
  slug, name: z.string(), variables: teamVariables, createdAt: timestamp, updatedAt: timestamp,
}).meta({ id: 'Team' });

export const flowSchema = z.object({ team: slug, slug, name: z.string(), createdAt: timestamp }).meta({ id: 'Flow' });

export const destinationKind = z.enum(['platform', 'webhook', 'connector']);
export const grantSchema = z.object({
  team: slug, flow: slug, destinationKind, destination: z.string(), grantedBy: z.string(), createdAt: timestamp,
}).meta({ id: 'Grant' });

export const credentialSchema = z.object({
  id: z.string(),
  key: z.string().describe('The public half, sent as the Basic auth user name. Its prefix names the environment.'),
  kind: z.enum(['producer', 'consumer']),
  platform: platformName,
  environment: z.string(),
  teams: z.array(slug),
  scopes: z.array(scopeSchema),
  description: z.string().nullable(),
  createdAt: timestamp,
  rotatedAt: timestamp.nullable(),
  previousSecretExpiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
}).meta({ id: 'Credential' });

export const issuedCredentialSchema = z.object({
  credential: credentialSchema,
  secret: z.string().describe('Shown once. Store it now: Switchboard keeps only a hash.'),
}).meta({ id: 'IssuedCredential' });

export const sessionSummarySchema = z.object({
  id: z.string(), team: slug, flow: slug, paymentId: z.string().nullable(),
  submittedAt: timestamp, firstRetrievedAt: timestamp.nullable(), purgeAfter: timestamp, purgedAt: timestamp.nullable(),
}).meta({ id: 'SessionSummary' });

export const sessionSchema = sessionSummarySchema.extend({
  data: z.record(z.string(), z.unknown()).describe('The session data as submitted: free-form and growing over time.'),
  files: z.array(z.unknown()),
}).meta({ id: 'Session' });

export const auditEntrySchema = z.object({
  id: z.number().int(), at: timestamp, requestId: z.string(), actorKind: z.string(), actorId: z.string().nullable(),
  platform: z.string().nullable(), team: z.string().nullable(), method: z.string(), route: z.string(), path: z.string(),
  sessionId: z.string().nullable(), status: z.number().int(), code: z.string().nullable(), clientAddress: z.string().nullable(),
}).meta({ id: 'AuditEntry' });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Page size, 1 to 500.'),
};

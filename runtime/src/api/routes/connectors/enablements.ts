import type { Context } from 'hono';
import { z } from 'zod';
import { maskSecrets, secretFields, validateAgainst } from '../../../connectors/json-schema.ts';
import { keyringFor } from '../../../connectors/keyring.ts';
import { open, seal } from '../../../crypto/secret-box.ts';
import { deleteEnablement, getEnablement, getPackage, insertEnablement, listEnablements, updateEnablement, type PackageRow } from '../../../db/store/connectors.ts';
import { newId } from '../../../domain/ids.ts';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { slug } from '../../schemas.ts';
import { requireTeam } from '../../team-scope.ts';
import { enablementSchema, exactVersion, limitsSchema, packageName, presentEnablement } from './shapes.ts';

const MASK = '********';
const teamParams = z.object({ team: slug });
const oneParams = teamParams.extend({ id: z.string().min(1).max(64) });
const config = z.record(z.string(), z.unknown()).describe("Validated against the package manifest's config JSON Schema. Write-only (secret) fields are stored encrypted and shown masked; send the mask back to keep a stored secret.");
const eventTypes = z.array(z.string().min(1).max(100)).min(1).max(20);

const example = {
  id: 'cen_019ab0c2d3e4a1b2c3d4', team: 'lambeth', package: '@switchboard/connector-bops', version: '1.0.0',
  config: { baseUrl: 'https://lambeth.bops.services', token: MASK }, flows: ['apply-for-a-lawful-development-certificate'], eventTypes: ['session.submitted'],
  active: true, limits: {}, createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z',
};

async function requirePackage(c: Context<AppEnv>, name: string, version: string) {
  const pkg = await getPackage(c.var.deps.db, name, version);
  if (!pkg) throw new ApiError('validation_failed', `${name}@${version} is not installed`, { fields: [{ path: 'body.version', message: 'not installed', code: 'not_installed' }] });
  return pkg;
}

/** Validates against the manifest's schema (422 naming each field), then seals the whole config. */
function sealConfig(c: Context<AppEnv>, pkg: PackageRow, value: Record<string, unknown>) {
  const cfg = structuredClone(value);
  const issues = validateAgainst(pkg.manifest.configSchema, cfg);
  if (issues.length) {
    const fields = issues.map((i) => ({ path: ['body', 'config', i.path].filter(Boolean).join('.'), message: i.message, code: 'config_invalid' }));
    throw new ApiError('validation_failed', `${fields[0]!.path}: ${fields[0]!.message}`, { fields });
  }
  return { config_sealed: seal(JSON.stringify(cfg), keyringFor(c.var.deps.config.SECRET_KEYS)), config_public: maskSecrets(pkg.manifest.configSchema, cfg) };
}

export const enableConnector = defineRoute({
  method: 'post',
  path: '/v1/teams/{team}/connectors',
  operationId: 'enableConnector',
  tag: 'Connectors',
  summary: 'Enable a connector for a team',
  description: "Pins an installed version with a config for the given flows and event types. The enablement's id is what a flow grants (`destinationKind: connector`, `destination: <id>`): nothing runs for a flow until it grants the enablement.",
  access: { kind: 'operator' },
  params: teamParams,
  body: z.object({
    package: packageName, version: exactVersion, config, flows: z.array(slug).min(1).max(200),
    eventTypes: eventTypes.default(['session.submitted']), active: z.boolean().default(true), limits: limitsSchema.default({}),
  }).meta({ id: 'ConnectorEnable' }),
  bodyExample: { package: example.package, version: '1.0.0', config: { baseUrl: 'https://lambeth.bops.services', token: 'bops-api-token' }, flows: example.flows, eventTypes: ['session.submitted'], active: true },
  responses: {
    201: { description: 'Enabled.', schema: enablementSchema, example },
    422: { description: '`validation_failed`: the config does not match the schema (each field named), or the version is not installed.' },
  },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const pkg = await requirePackage(c, body.package, body.version);
    const row = await insertEnablement(c.var.deps.db, {
      id: newId('cen'), team: params.team, package: body.package, version: body.version, ...sealConfig(c, pkg, body.config),
      flows: body.flows, event_types: body.eventTypes, active: body.active, limits: body.limits as Record<string, number>,
    });
    return c.json(presentEnablement(row), 201);
  },
});

export const listTeamConnectors = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/connectors',
  operationId: 'listTeamConnectors',
  tag: 'Connectors',
  summary: "List a team's connector enablements",
  description: 'Secrets are masked.',
  access: { kind: 'operator' },
  params: teamParams,
  responses: { 200: { description: 'The enablements.', schema: z.object({ connectors: z.array(enablementSchema) }), example: { connectors: [example] } } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    return c.json({ connectors: (await listEnablements(c.var.deps.db, params.team)).map(presentEnablement) });
  },
});

export const getTeamConnector = defineRoute({
  method: 'get',
  path: '/v1/teams/{team}/connectors/{id}',
  operationId: 'getTeamConnector',
  tag: 'Connectors',
  summary: 'Get one enablement',
  description: 'Secrets are masked.',
  access: { kind: 'operator' },
  params: oneParams,
  responses: { 200: { description: 'The enablement.', schema: enablementSchema, example }, 404: { description: 'No such enablement.' } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    const row = await getEnablement(c.var.deps.db, params.team, params.id);
    if (!row) throw new ApiError('not_found', `no connector enablement "${params.id}"`);
    return c.json(presentEnablement(row));
  },
});

export const updateTeamConnector = defineRoute({
  method: 'patch',
  path: '/v1/teams/{team}/connectors/{id}',
  operationId: 'updateTeamConnector',
  tag: 'Connectors',
  summary: 'Change an enablement (upgrade, config, flows, active)',
  description: "Upgrading is an explicit change of `version`; the config is re-validated against that version's schema. A secret field sent as the mask keeps its stored value.",
  access: { kind: 'operator' },
  params: oneParams,
  body: z.object({
    version: exactVersion.optional(), config: config.optional(), flows: z.array(slug).min(1).max(200).optional(), eventTypes: eventTypes.optional(),
    active: z.boolean().optional(), limits: limitsSchema.optional(),
  }).meta({ id: 'ConnectorUpdate' }),
  bodyExample: { version: '1.1.0', active: true },
  responses: { 200: { description: 'Changed.', schema: enablementSchema, example }, 404: { description: 'No such enablement.' }, 422: { description: 'Invalid config or version.' } },
  async handler(c, { params, body }) {
    await requireTeam(c, params.team);
    const { db, config: cfg } = c.var.deps;
    const row = await getEnablement(db, params.team, params.id);
    if (!row) throw new ApiError('not_found', `no connector enablement "${params.id}"`);
    const version = body.version ?? row.version;
    let sealed = {};
    if (body.config || body.version) {
      const pkg = await requirePackage(c, row.package, version);
      const stored = JSON.parse(open(row.config_sealed, keyringFor(cfg.SECRET_KEYS))) as Record<string, unknown>;
      const next = { ...(body.config ?? stored) };
      for (const k of secretFields(pkg.manifest.configSchema)) if (next[k] === MASK) next[k] = stored[k];
      sealed = sealConfig(c, pkg, next);
    }
    const updated = await updateEnablement(db, params.team, params.id, {
      version, ...sealed, flows: body.flows, event_types: body.eventTypes, active: body.active, limits: body.limits as Record<string, number> | undefined,
    });
    return c.json(presentEnablement(updated!));
  },
});

export const disableTeamConnector = defineRoute({
  method: 'delete',
  path: '/v1/teams/{team}/connectors/{id}',
  operationId: 'deleteTeamConnector',
  tag: 'Connectors',
  summary: 'Remove an enablement',
  description: 'Its runs are deleted with it; to pause instead, PATCH `active: false`.',
  access: { kind: 'operator' },
  params: oneParams,
  responses: { 204: { description: 'Removed.' }, 404: { description: 'No such enablement.' } },
  async handler(c, { params }) {
    await requireTeam(c, params.team);
    if (!(await deleteEnablement(c.var.deps.db, params.team, params.id))) throw new ApiError('not_found', `no connector enablement "${params.id}"`);
    return c.body(null, 204);
  },
});

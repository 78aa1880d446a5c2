import { z } from 'zod';
import { InstallError, installConnector } from '../../../connectors/install.ts';
import { deletePackage, listPackages } from '../../../db/store/connectors.ts';
import { ApiError } from '../../problem.ts';
import { defineRoute } from '../../route.ts';
import { actorId, connectorPackageSchema, exactVersion, packageName, presentPackage } from './shapes.ts';

const example = {
  name: '@switchboard/connector-bops', version: '1.0.0', integrity: 'sha512-…', resolved: 'https://registry.npmjs.org/@switchboard/connector-bops/-/connector-bops-1.0.0.tgz',
  manifest: { manifestVersion: 1 as const, entry: 'src/index.js', configSchema: { type: 'object', properties: { baseUrl: { type: 'string', format: 'uri' }, token: { type: 'string', writeOnly: true } }, required: ['baseUrl', 'token'] }, allowedHosts: ['{config.baseUrl}'] },
  bundleSha256: '9f2c…', installedBy: 'op_019ab0c2d3e4a1b2c3d4', installedAt: '2026-11-23T10:00:00.000Z',
};

export const installConnectorRoute = defineRoute({
  method: 'post',
  path: '/v1/connectors',
  operationId: 'installConnector',
  tag: 'Connectors',
  summary: 'Install a connector version',
  description: "Fetches name@version from the configured npm registry, or takes an uploaded `npm pack` tarball, (`CONNECTOR_REGISTRY`, `CONNECTOR_REGISTRY_TOKEN`), records the tarball's integrity, installs its dependencies without running scripts, and stores one platform-neutral bundle. Installing an installed version again is harmless; a changed tarball for an installed version is refused with 409 `integrity_mismatch`. A package importing Node built-ins is refused with 422 `invalid_package` naming the import.",
  access: { kind: 'operator', adminOnly: true },
  body: z.union([
    z.object({ package: packageName, version: exactVersion }),
    z.object({ tarball: z.base64().describe('An `npm pack` tarball, base64: installed as the name and version it declares.') }),
  ]).meta({ id: 'ConnectorInstall' }),
  bodyExample: { package: '@switchboard/connector-bops', version: '1.0.0' },
  bodyLimit: 'MAX_SESSION_BYTES',
  responses: {
    201: { description: 'Installed.', schema: connectorPackageSchema, example },
    200: { description: 'Already installed with the same integrity.', schema: connectorPackageSchema, example },
    404: { description: 'No such package or version in the registry.' },
    409: { description: '`integrity_mismatch`: the registry now serves a different tarball for an installed version.' },
    422: { description: '`invalid_package`: no valid manifest, or an import of a Node built-in.' },
  },
  async handler(c, { body }) {
    const { config } = c.var.deps;
    try {
      const source = 'tarball' in body ? { tarball: Buffer.from(body.tarball, 'base64') } : { name: body.package, version: body.version };
      const r = await installConnector(c.var.deps.db, source, { registry: config.CONNECTOR_REGISTRY, token: config.CONNECTOR_REGISTRY_TOKEN }, actorId(c));
      return c.json(presentPackage(r.pkg), r.created ? 201 : 200);
    } catch (err) {
      if (err instanceof InstallError) throw new ApiError(err.code, err.message);
      const what = 'tarball' in body ? 'the uploaded tarball' : `${body.package}@${body.version}`;
      c.var.deps.log.warn({ err, what }, 'connector install failed');
      throw new ApiError('registry_error', `could not install ${what}: ${(err as Error).message}`);
    }
  },
});

export const listConnectorPackages = defineRoute({
  method: 'get',
  path: '/v1/connectors',
  operationId: 'listConnectorPackages',
  tag: 'Connectors',
  summary: 'List installed connector versions',
  description: 'Every installed name@version with its manifest (config JSON Schema, allowed hosts) and how many enablements pin it.',
  access: { kind: 'operator' },
  responses: { 200: { description: 'The installed versions.', schema: z.object({ connectors: z.array(connectorPackageSchema) }), example: { connectors: [{ ...example, enablements: 1 }] } } },
  async handler(c) {
    return c.json({ connectors: (await listPackages(c.var.deps.db)).map(presentPackage) });
  },
});

export const uninstallConnector = defineRoute({
  method: 'delete',
  path: '/v1/connectors/{package}/versions/{version}',
  operationId: 'uninstallConnector',
  tag: 'Connectors',
  summary: 'Uninstall a connector version',
  description: 'Refused with 409 `in_use` while an enablement pins the version. URL-encode a scoped name (`%40scope%2Fname`).',
  access: { kind: 'operator', adminOnly: true },
  params: z.object({ package: packageName, version: exactVersion }),
  responses: { 204: { description: 'Uninstalled.' }, 404: { description: 'Not installed.' }, 409: { description: '`in_use`: an enablement pins this version.' } },
  async handler(c, { params }) {
    const r = await deletePackage(c.var.deps.db, params.package, params.version);
    if (r === 'missing') throw new ApiError('not_found', `${params.package}@${params.version} is not installed`);
    if (r === 'in_use') throw new ApiError('in_use', `${params.package}@${params.version} is pinned by an enablement; change or remove the enablement first`);
    return c.body(null, 204);
  },
});

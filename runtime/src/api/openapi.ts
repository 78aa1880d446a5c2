import { OpenApiBuilder, type OpenAPIObject, type OperationObject, type ParameterObject, type ResponsesObject, type SchemaObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { RouteSpec } from './route.ts';
import { problemSchema } from './schemas.ts';

type Components = Record<string, SchemaObject>;

/**
 * zod → JSON Schema (draft 2020-12, which OpenAPI 3.1 uses). Named schemas (meta id) are
 * lifted into components and referenced, so the document reads like hand-written YAML.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Components): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  const defs = (json.$defs ?? {}) as Components;
  delete json.$defs;
  delete json.$schema;
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [name, def] of Object.entries(defs)) components[name] ??= rewrite(def) as SchemaObject;
  const meta = z.globalRegistry.get(schema);
  if (meta?.id) {
    delete json.id;
    components[meta.id] ??= rewrite(json) as SchemaObject;
    return { $ref: `#/components/schemas/${meta.id}` };
  }
  return rewrite(json) as SchemaObject;
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function parameters(route: RouteSpec, components: Components): ParameterObject[] {
  const out: ParameterObject[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      const s = toSchema(field as z.ZodType, 'input', components);
      const { description, ...rest } = s as SchemaObject & { description?: string };
      out.push({ name, in: where, required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success, schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

function operation(route: RouteSpec, components: Components): OperationObject {
  const responses: ResponsesObject = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const error = Number(status) >= 400;
    if (error) {
      responses[status] = problem(r.description);
      continue;
    }
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: toSchema(r.schema, 'output', components), ...(r.example !== undefined ? { example: r.example } : {}) } } } : {}),
    };
  }
  // The problems every route of a kind can answer with, unless it documents its own.
  const common: Record<string, string> = {};
  if (route.access.kind !== 'public') Object.assign(common, { 401: 'Missing or invalid credentials (`unauthenticated`, `wrong_environment`).', 403: 'Not allowed (`insufficient_scope`, `forbidden`, `not_granted`).' });
  if (route.access.kind === 'credential') common[429] = 'Rate limited (`rate_limited`); see `Retry-After`.';
  if (route.body) Object.assign(common, { 400: 'The body is not JSON (`malformed_json`).', 413: 'The body is too large (`payload_too_large`).', 415: 'The body is not `application/json`.' });
  if (route.body || route.query || route.params) common[422] = 'Invalid input (`validation_failed`); `fields` names each offending field.';
  if (route.params?.shape.team) common[404] = 'No such team (`team_not_found`), or not yours.';
  for (const [status, description] of Object.entries(common)) responses[status] ??= problem(description);

  const security = route.access.kind === 'public' ? [] : route.access.kind === 'operator' ? [{ operatorToken: [] }] : [{ apiKey: [] }];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    security,
    parameters: parameters(route, components),
    ...(route.body ? {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, 'input', components), ...(route.bodyExample !== undefined ? { example: route.bodyExample } : {}) } },
      },
    } : {}),
    ...(route.rawBody ? {
      requestBody: { required: true, description: route.rawBody.description, content: { [route.rawBody.contentType]: { schema: { type: 'string', contentMediaType: 'application/octet-stream' }, example: route.rawBody.example } } },
    } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: RouteSpec[], version = '0.1.0'): OpenAPIObject {
  const components: Components = {};
  toSchema(problemSchema, 'output', components);
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addTitle('Switchboard Integration API')
    .addVersion(version)
    .addDescription('Gets session data, securely and explicitly, to the downstream consumers each team works with. Consumers pull sessions with an API key and secret (HTTP Basic auth) issued per team, per platform and per environment; operators manage teams, flows, grants and credentials with a bearer token. Every request is audit-logged. Errors are `application/problem+json` (RFC 9457) with a stable `code`.')
    .addLicense({ name: 'MIT', identifier: 'MIT' })
    .addServer({ url: 'http://127.0.0.1:8080', description: 'A local Switchboard (`npm start`).' })
    .addSecurityScheme('apiKey', { type: 'http', scheme: 'basic', description: 'API key as user name, secret as password.' })
    .addSecurityScheme('operatorToken', { type: 'http', scheme: 'bearer', description: 'The admin token or a team-admin token.' });
  const tags = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    builder.addPath(route.path, { ...builder.getSpec().paths?.[route.path], [route.method]: operation(route, components) });
  }
  for (const tag of tags) builder.addTag({ name: tag, description: `${tag} operations.` });
  for (const [name, schema] of Object.entries(components).sort(([a], [b]) => a.localeCompare(b))) builder.addSchema(name, schema);
  return builder.getSpec();
}

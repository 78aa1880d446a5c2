import { stringify } from 'yaml';
import { buildOpenApiDocument } from './openapi.ts';
import { routes } from './routes/index.ts';

let cached: string | undefined;

/** The committed api-spec/openapi.yaml is exactly this text; a test keeps them equal. */
export function openApiYaml(): string {
  cached ??= stringify(buildOpenApiDocument(routes), { aliasDuplicateObjects: false, lineWidth: 0 });
  return cached;
}

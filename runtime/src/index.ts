// The runtime's public surface for tools in this repository (api-spec, tests, benchmarks).
export { createApp } from './api/app.ts';
export { buildOpenApiDocument } from './api/openapi.ts';
export { openApiYaml } from './api/openapi-yaml.ts';
export { routes } from './api/routes/index.ts';
export { loadConfig, type Config } from './config/env.ts';
export { createDb, type Db } from './db/pool.ts';
export { migrate } from './db/migrate.ts';

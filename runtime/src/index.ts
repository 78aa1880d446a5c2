// The runtime's public surface for tools in this repository (api-spec, tests, benchmarks).
export { createApp } from './api/app.ts';
export { buildOpenApiDocument } from './api/openapi.ts';
export { openApiYaml } from './api/openapi-yaml.ts';
export { routes } from './api/routes/index.ts';
export { loadConfig, type Config } from './config/env.ts';
export { createDb, type Db } from './db/pool.ts';
export { migrate } from './db/migrate.ts';
export { createApiDeps } from './api/deps.ts';
export type { Deps } from './api/context.ts';
export { createLogger } from './log.ts';
export { ensureAdminToken } from './domain/operators.ts';
export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export { startWebhookWorker } from './workers/webhooks.ts';

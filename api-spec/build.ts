// Writes api-spec/openapi.yaml from the runtime's route definitions (the zod schemas are the source).
import { writeFile } from 'node:fs/promises';
import { openApiYaml } from '@switchboard/runtime';

const target = new URL('./openapi.yaml', import.meta.url);
await writeFile(target, openApiYaml());
console.log(`wrote ${target.pathname}`);

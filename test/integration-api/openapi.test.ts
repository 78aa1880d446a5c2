import { readFile } from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openApiYaml } from '../../runtime/src/api/openapi-yaml.ts';
import { routes } from '../../runtime/src/api/routes/index.ts';

const committed = await readFile(new URL('../../api-spec/openapi.yaml', import.meta.url), 'utf8');

describe('api-spec/openapi.yaml', () => {
  it('is exactly what the route schemas generate (run `npm run spec` after changing a route)', () => {
    expect(committed).toBe(openApiYaml());
  });

  it('passes the Redocly linter with its recommended rules, warnings included', async () => {
    const config = await createConfig({ extends: ['recommended-strict'] });
    const problems = await lintFromString({ source: committed, absoluteRef: 'openapi.yaml', config });
    // Liveness and readiness probes have no client error to document; every other operation must.
    const probes = /^#\/paths\/~1(healthz|readyz)\//;
    const relevant = problems.filter((p) => !(p.ruleId === 'operation-4xx-response' && probes.test(p.location[0]?.pointer ?? '')));
    expect(relevant.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('documents every operation with a description and an example of its success response', () => {
    const doc = parse(committed);
    for (const route of routes) {
      const op = doc.paths[route.path][route.method];
      expect(op.description, route.operationId).toBeTruthy();
      const success = Object.entries(op.responses).find(([s]) => Number(s) < 300)![1] as any;
      const content = success.content && Object.values(success.content)[0] as any;
      if (content) expect(content.example, `${route.operationId} example`).toBeDefined();
      // JSON bodies, or a raw one (file uploads): whichever the operation takes.
      if (op.requestBody) expect((Object.values(op.requestBody.content)[0] as any).example, `${route.operationId} body example`).toBeDefined();
    }
  });
});

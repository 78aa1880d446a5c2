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
    // Liveness and readiness probes have no client error to document, and the websocket endpoint
    // succeeds with 101, not a 2XX; every other operation must document both.
    const probes = /^#\/paths\/~1(healthz|readyz)\//;
    const websocket = /^#\/paths\/~1v1~1cable\/get\//;
    const relevant = problems.filter((p) => {
      const at = p.location[0]?.pointer ?? '';
      return !(p.ruleId === 'operation-4xx-response' && probes.test(at)) && !(p.ruleId === 'operation-2xx-response' && websocket.test(at));
    });
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

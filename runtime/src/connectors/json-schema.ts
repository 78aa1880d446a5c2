import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Config schemas and `requires` come from manifests (zod's JSON Schema output, draft 2020-12).
const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
const cache = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
    if (cache.size > 500) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

/** Throws when the schema itself is not a usable JSON Schema (checked at install). */
export function assertSchema(schema: Record<string, unknown>) {
  compile(schema);
}

export type SchemaIssue = { path: string; message: string };

/** Validates (and fills defaults into) `value`; returns each failing field as a dotted path. */
export function validateAgainst(schema: Record<string, unknown>, value: unknown): SchemaIssue[] {
  const fn = compile(schema);
  if (fn(value)) return [];
  return (fn.errors ?? []).map((e) => ({ path: errorPath(e), message: e.message ?? 'invalid' }));
}

function errorPath(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const missing = (e.params as { missingProperty?: string }).missingProperty;
  if (e.keyword === 'required' && missing) parts.push(missing);
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  if (e.keyword === 'additionalProperties' && extra) parts.push(extra);
  return parts.join('.');
}

/** Top-level properties marked `writeOnly` (secrets): stored sealed, shown masked. */
export function secretFields(schema: Record<string, unknown>): string[] {
  const props = (schema.properties ?? {}) as Record<string, { writeOnly?: boolean }>;
  return Object.entries(props).filter(([, p]) => p?.writeOnly === true).map(([k]) => k);
}

export function maskSecrets(schema: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const k of secretFields(schema)) if (k in out) out[k] = '********';
  return out;
}

import type { Context } from 'hono';
import { z } from 'zod';
import type { Scope } from '../domain/scopes.ts';
import type { AppEnv } from './context.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: nobody in particular, an operator, or a credential with a scope. */
export type Access = { kind: 'public' } | { kind: 'operator'; adminOnly?: boolean } | { kind: 'credential'; credential: 'producer' | 'consumer'; scope: Scope };

export type ResponseSpec = { description: string; schema?: z.ZodType; example?: unknown; contentType?: string; headers?: Record<string, string> };

type AnyObject = z.ZodObject<z.ZodRawShape>;

export type RouteSpec<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> = {
  method: Method;
  /** OpenAPI-style path: `/v1/sessions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  bodyExample?: z.input<B>;
  /** A body the handler streams itself (not JSON, not validated by the app); documented as given. */
  rawBody?: { contentType: string; description: string; example: string };
  /** Request body size limit in bytes, or a config key that holds it. */
  bodyLimit?: number | 'MAX_SESSION_BYTES';
  responses: Record<number, ResponseSpec>;
  handler: (c: Context<AppEnv>, input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }) => Promise<Response> | Response;
};

/** Declares a route once: the app mounts it, validates its input, and the OpenAPI document describes it. */
export function defineRoute<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

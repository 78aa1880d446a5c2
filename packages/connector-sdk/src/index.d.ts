import type { z } from 'zod';

export type Status = 'success' | 'failed' | (string & {});

export type RequestResult = { statusCode: number; response: any; headers: Record<string, string> };

/** The only I/O a connector has: GET and POST to its allowed hosts. */
export type Request = {
  get(options: { url: string; headers?: Record<string, string> }): Promise<RequestResult>;
  post(url: string, payload: unknown, options?: { headers?: Record<string, string> }): Promise<RequestResult>;
};

export type Session = {
  id: string;
  team: string;
  flow: string;
  paymentId: string | null;
  submittedAt: string;
  data: Record<string, any>;
  files: unknown[];
};

export type RunInput<C> = { session: Session; config: C; request: Request; log: (...parts: unknown[]) => void };

export type ConnectorDefinition<S extends z.ZodType> = {
  name: string;
  version?: string;
  description?: string;
  /** Mark secret fields with `.meta({ writeOnly: true })`: stored encrypted, never shown again. */
  configSchema: S;
  /** Hosts `request` may call (`host` or `host:port`); `{config.field}` uses a config value (a URL gives its host). */
  allowedHosts?: string[];
  /** A JSON Schema the session data must satisfy; sessions that do not are skipped, not run. */
  requires?: Record<string, unknown>;
  run(input: RunInput<z.output<S>>): Promise<Status> | Status;
};

export type Connector<S extends z.ZodType = z.ZodType> = Readonly<Required<Omit<ConnectorDefinition<S>, 'version' | 'requires'>>> & { version?: string; requires?: Record<string, unknown> };

export declare function defineConnector<S extends z.ZodType>(def: ConnectorDefinition<S>): Connector<S>;
export declare function hmacSha256Hex(key: string, message: string): string;
export declare function hmacSha256(key: string, message: string): Uint8Array;
export declare function base64Url(input: string | Uint8Array): string;
export declare function pick(value: unknown, path: string): unknown;
